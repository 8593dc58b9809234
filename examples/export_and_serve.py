"""Export a trained video-prediction preset for TF Serving and check it the way Serving runs it.

    python examples/export_and_serve.py                      # the hier_vrnn_smmnist preset
    python examples/export_and_serve.py path/to/model.keras  # any preset name or .keras file
    python examples/export_and_serve.py hier_vrnn_smmnist --out /tmp/hier_vrnn_sm --horizon 10

Steps:
1. Load the preset and write a TF SavedModel with the signatures `serving_default` / `predict`
   (`context` float32 [B, D, H, W, C] in [0, 1], `seed` int32 [2]) and `predict_uint8`
   (`context_uint8` uint8 frames), each returning `frames` float32 [B, horizon, H, W, C].
2. Serve it from an in-process gRPC `PredictionService` on 127.0.0.1 (TF Serving's API) and send
   real `PredictRequest`s: shapes, ranges, same seed -> same frames, another seed -> others.
3. Run TensorFlow's `saved_model_cli show` and `saved_model_cli run` on it.

With `tensorflow_model_server` installed, the same folder serves as
`tensorflow_model_server --model_name=dynscene --model_base_path=<abs folder holding 1/>` after
moving it to `<folder>/1/`.
"""

import argparse
import json
import os
import sys
import tempfile

os.environ["KERAS_BACKEND"] = "tensorflow"  # SavedModel export runs on TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_dynscene.export import export_preset
from keras_dynscene.export import saved_model_cli_check
from keras_dynscene.export import serving_check


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "preset",
        nargs="?",
        default="hier_vrnn_smmnist",
        help="trained preset name or path to a .keras file",
    )
    parser.add_argument(
        "--out", default=None, help="SavedModel folder (default: <tmp>/dynscene_exports/<name>)"
    )
    parser.add_argument(
        "--horizon",
        type=int,
        default=None,
        help="predicted frames per request (default: the model's future_frames)",
    )
    parser.add_argument(
        "--skip-saved-model-cli",
        action="store_true",
        help="skip the two saved_model_cli subprocesses",
    )
    args = parser.parse_args(argv)

    name = os.path.splitext(os.path.basename(os.path.normpath(args.preset)))[0]
    out = args.out or os.path.join(tempfile.gettempdir(), "dynscene_exports", name)
    print(f"== 1. Export '{args.preset}' -> {out}")
    try:
        export_preset(args.preset, out, args.horizon)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    print("\n== 2. Loopback gRPC PredictionService (TF Serving API)")
    result = serving_check(out)
    print(
        json.dumps({key: value for key, value in result.items() if key != "signatures"}, indent=2)
    )

    if not args.skip_saved_model_cli:
        print("\n== 3. saved_model_cli")
        cli = saved_model_cli_check(out)
        show = cli["show"]
        print(
            show[: show.find("Concrete Functions:")].rstrip()
            if "Concrete Functions:" in show
            else show
        )
        print(f"\n$ {cli['command']}")
        run_lines = cli["run"].strip().splitlines()
        print(
            "\n".join(run_lines[:4] + ["  ..."] + run_lines[-2:])
            if len(run_lines) > 8
            else cli["run"]
        )
        print(f"frames shape from saved_model_cli run: {cli['frames_shape']}")

    print(
        f"\nOK: '{out}' serves {sorted(result['signatures'])}; frames "
        f"{result['response']['frames_shape']}, deterministic per seed."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
