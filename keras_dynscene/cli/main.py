"""The `dynscene` command: train, sample, evaluate, export and serve-check models.

Keras reads its backend once, at import: every subcommand takes `--backend` and sets it first.
"""

import argparse
import json
import os
import sys

BACKENDS = ("tensorflow", "jax", "torch")


def parse_overrides(pairs) -> dict:
    """`["key=value", ...]` with JSON values (strings may go unquoted) -> dict."""
    overrides = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SystemExit(f"--set expects key=value; received '{pair}'.")
        key, value = pair.split("=", 1)
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dynscene", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument(
            "--backend", choices=BACKENDS, help="Keras backend (default: $KERAS_BACKEND)"
        )
        return p

    train = common(sub.add_parser("train", help="train a model on a TFDS video dataset"))
    train.add_argument("model", help="model name (hier_vrnn), architecture or trained preset")
    train.add_argument(
        "--dataset", required=True, help="TFDS name, e.g. stochastic_moving_mnist/2digits"
    )
    train.add_argument("--data-dir", default=None, help="TFDS data_dir")
    train.add_argument("--steps", type=int, required=True, help="total optimizer steps")
    train.add_argument("--batch-size", type=int, default=16)
    train.add_argument(
        "--checkpoint-every", type=int, default=100, help="steps between checkpoints"
    )
    train.add_argument("--learning-rate", type=float, default=1.6e-4)
    train.add_argument("--initial-learning-rate", type=float, default=2e-5)
    train.add_argument(
        "--warmup-steps", type=int, default=None, help="lr warmup (default 5 'epochs')"
    )
    train.add_argument(
        "--beta-1", type=float, default=0.5, help="Adam beta_1 (0.5: thesis 4.5; 0.9: Adam's)"
    )
    train.add_argument("--beta-2", type=float, default=0.9, help="Adam beta_2")
    train.add_argument("--weight-decay", type=float, default=1e-4, help="Adam weight decay")
    train.add_argument(
        "--clip-norm", type=float, default=None, help="clip gradients to this global norm"
    )
    train.add_argument(
        "--pretrain-steps",
        type=int,
        default=0,
        help="slot models: slot attention pretraining steps on first frames (thesis 8.A.2)",
    )
    train.add_argument(
        "--pretrain-learning-rate",
        type=float,
        default=4e-4,
        help="peak learning rate of slot pretraining, warmed up over its first tenth "
        "(4e-4: Locatello et al., whose warmup thesis 8.A.2 follows)",
    )
    train.add_argument(
        "--pretrained-slots",
        default=None,
        metavar="KERAS_FILE",
        help="slot models: start from the encoder, slot attention and decoder of this VIM or "
        "slot pretraining model.keras (e.g. another run's slot_pretraining/model.keras) instead "
        "of pretraining, so that ablations share one pretraining",
    )
    train.add_argument(
        "--level",
        type=int,
        default=1,
        help="cascades (CVG): the level to train; the others stay frozen (thesis 6.2)",
    )
    train.add_argument(
        "--d-learning-rate",
        type=float,
        default=None,
        help="GANs: discriminator learning rate (--learning-rate is the generator's)",
    )
    train.add_argument("--set", nargs="*", metavar="KEY=VALUE", help="model config overrides")
    train.add_argument("--jit-compile", choices=("auto", "true", "false"), default="false")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", required=True, help="run folder (checkpoints, logs, samples)")
    train.add_argument(
        "--strategy",
        choices=("auto", "none", "mirrored", "multi_worker", "tpu", "data_parallel"),
        default="auto",
        help="distribution strategy (docs/DISTRIBUTED.md); --batch-size is per replica",
    )
    train.add_argument(
        "--cpu-replicas",
        type=int,
        default=None,
        help="split the CPU into this many devices (try mirrored / data_parallel without GPUs)",
    )
    train.add_argument(
        "--tpu", default=None, help="--strategy tpu: TPU name, grpc address or local"
    )
    train.add_argument(
        "--switch-step",
        type=int,
        default=None,
        help="INFERNO: step at which rendering switches to full resolution (no upscaler)",
    )

    sample = common(sub.add_parser("sample", help="sample futures from a preset, write GIF + PNG"))
    sample.add_argument("--preset", required=True, help="trained preset name or .keras path")
    sample.add_argument(
        "--out", default="samples.gif", help="GIF path; the PNG grid goes beside it"
    )
    sample.add_argument("--dataset", default=None, help="test data (default: the preset's)")
    sample.add_argument("--data-dir", default=None, help="TFDS data_dir")
    sample.add_argument("--num-clips", type=int, default=4)
    sample.add_argument("--num-samples", type=int, default=3)
    sample.add_argument("--horizon", type=int, default=None)
    sample.add_argument(
        "--num-frames",
        type=int,
        default=None,
        help="GANs (CVG): first-level frames to generate (default: as trained; more unrolls)",
    )
    sample.add_argument(
        "--statistics-passes",
        type=int,
        default=100,
        help="GANs: dummy passes that refit batch-norm statistics for a longer --num-frames",
    )
    sample.add_argument("--seed", type=int, default=0)

    evaluate = common(
        sub.add_parser(
            "evaluate", help="best-of-N SSIM/PSNR/MSE/LPIPS, FVD and PSD on a test split"
        )
    )
    evaluate.add_argument("--preset", required=True)
    evaluate.add_argument("--dataset", default=None)
    evaluate.add_argument("--data-dir", default=None)
    evaluate.add_argument("--num-videos", type=int, default=256)
    evaluate.add_argument("--num-samples", type=int, default=100)
    evaluate.add_argument("--horizon", type=int, default=None)
    evaluate.add_argument(
        "--baselines",
        default="copy_last_frame,untrained",
        help="comma-separated: copy_last_frame, untrained",
    )
    evaluate.add_argument(
        "--metrics",
        default="ssim,psnr,mse,lpips,fvd,psd",
        help="comma-separated: ssim, psnr, mse, lpips (best-of-N per frame); fvd, i3d_fid, "
        "inception_score (population metrics on I3D); psd (power spectra plot)",
    )
    evaluate.add_argument(
        "--protocol",
        default=None,
        help="population-metric protocol (bair_2_28, smmnist_5_10, kinetics_cvg); default: "
        "the preset's, else one matching the dataset",
    )
    evaluate.add_argument(
        "--lpips-network", default="alexnet", choices=("alexnet", "vgg16"), help="LPIPS backbone"
    )
    evaluate.add_argument(
        "--non-strict",
        action="store_true",
        help="allow frame or video counts that differ from the protocol (recorded in the result)",
    )
    evaluate.add_argument(
        "--cache-dir", default=None, help="where real-data I3D features are cached"
    )
    evaluate.add_argument(
        "--compare",
        default=None,
        help="comma-separated presets or .keras files evaluated beside the model, each "
        "optionally labelled label=preset (e.g. one_module=runs/vim_monolithic/model.keras)",
    )
    evaluate.add_argument(
        "--ood-dataset",
        default=None,
        help="slot models: out-of-distribution split for VIM-k tracking (default for "
        "random_walk: random_walk/compositional_ood)",
    )
    evaluate.add_argument(
        "--consistency",
        action="store_true",
        help="scene models (JUMP, GQN): also the KL_1 vs KL_3 consistency analysis",
    )
    evaluate.add_argument(
        "--context-frames",
        type=int,
        default=None,
        help="scene models: context frames of forward / backward prediction (default: the "
        "model's max_context)",
    )
    evaluate.add_argument("--batch-size", type=int, default=64)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--out", required=True, help="folder for metrics.json and plots")

    export = sub.add_parser("export", help="write a TF SavedModel with serving signatures")
    export.add_argument("--preset", required=True)
    export.add_argument("--out", required=True)
    export.add_argument("--horizon", type=int, default=None)

    package = sub.add_parser(
        "package-preset", help="turn a trained .keras into saved_models/<name>"
    )
    package.add_argument(
        "--model", required=True, help="trained .keras file (e.g. runs/x/model.keras)"
    )
    package.add_argument("--name", required=True, help="preset name (folder under saved_models/)")
    package.add_argument("--dataset", required=True, help="dataset the preset was trained on")
    package.add_argument("--no-export", action="store_true", help="skip the SavedModel export")
    package.add_argument(
        "--unroll-frames",
        type=int,
        default=None,
        help="GANs (CVG): recompute per-frame batch-norm statistics for this first-level length "
        "and export it beside the trained one",
    )
    package.add_argument(
        "--statistics-passes", type=int, default=200, help="dummy passes for --unroll-frames"
    )

    serve = sub.add_parser("serve-check", help="serve a SavedModel over loopback gRPC and query it")
    serve.add_argument("--model-dir", required=True)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    backend = getattr(args, "backend", None)
    if args.command in ("export", "serve-check", "package-preset"):
        backend = "tensorflow"  # SavedModel export and serving run on TensorFlow.
    if backend:
        if "keras" in sys.modules and sys.modules["keras"].backend.backend() != backend:
            raise SystemExit(
                f"Keras is already imported with the '{sys.modules['keras'].backend.backend()}' "
                f"backend; run `dynscene` in a fresh process (or set KERAS_BACKEND={backend})."
            )
        os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from keras_dynscene.cli import commands

    handler = {
        "train": commands.train,
        "sample": commands.sample,
        "evaluate": commands.evaluate,
        "export": commands.export,
        "package-preset": commands.package_preset,
        "serve-check": commands.serve_check,
    }[args.command]
    try:
        handler(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"dynscene {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
