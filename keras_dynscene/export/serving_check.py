"""Checks an exported SavedModel (video predictor or scene renderer) the way TF Serving would
serve it.

`tensorflow_model_server` cannot be installed here, so the closest faithful check is:

- `serving_check`: an in-process gRPC server on 127.0.0.1 implementing TF Serving's
  `PredictionService` (`Predict` and `GetModelMetadata`, from the `tensorflow-serving-api`
  protos) over the SavedModel's signatures, queried by a real gRPC client with `PredictRequest`s:
  response shapes and ranges, determinism per seed, the uint8 endpoint, and the error status of
  a malformed request.
- `saved_model_cli_check`: TensorFlow's own `saved_model_cli show --all` and `saved_model_cli run`
  (the TF1 session path TF Serving's C++ loader also takes) in a subprocess.

Both raise `ServingCheckError` naming what failed.
"""

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path

import numpy as np

DEFAULT_SIGNATURE = "serving_default"
UINT8_SIGNATURE = "predict_uint8"
SCENE_INPUTS = ("context_frames", "context_views", "query_views", "seed")
SERVE_TAG = "serve"
MAX_MESSAGE_BYTES = 256 * 2**20


class ServingCheckError(ValueError):
    """An exported model did not answer a serving check as expected."""


def _check_model_dir(model_dir) -> Path:
    """The SavedModel folder; a TF Serving base path (`<dir>/<version>/`) resolves to its latest
    version."""
    model_dir = Path(model_dir)
    if not (model_dir / "saved_model.pb").is_file() and model_dir.is_dir():
        versions = [
            p for p in model_dir.iterdir() if p.name.isdigit() and (p / "saved_model.pb").is_file()
        ]
        if versions:
            model_dir = max(versions, key=lambda p: int(p.name))
    if not (model_dir / "saved_model.pb").is_file():
        raise FileNotFoundError(
            f"No SavedModel at '{model_dir}' (expected '{model_dir / 'saved_model.pb'}'). "
            "Write one "
            "with `dynscene export --preset P --out DIR` or "
            "keras_dynscene.export.export_video_predictor."
        )
    return model_dir


def _spec_dict(spec) -> dict:
    return {"dtype": spec.dtype.name, "shape": spec.shape.as_list()}


def signature_specs(loaded) -> dict:
    """`{signature: {"inputs": {name: {dtype, shape}}, "outputs": {...}}}` of a loaded SavedModel.

    Shapes are lists with `None` for dynamic sizes (JSON-friendly).
    """
    specs = {}
    for name, fn in sorted(loaded.signatures.items()):
        inputs = fn.structured_input_signature[1]
        specs[name] = {
            "inputs": {key: _spec_dict(inputs[key]) for key in sorted(inputs)},
            "outputs": {key: _spec_dict(s) for key, s in sorted(fn.structured_outputs.items())},
        }
    return specs


def signature_defs(model_dir) -> dict:
    """The `SignatureDef` protos of the `serve` MetaGraph, read from `saved_model.pb`."""
    from tensorflow.core.protobuf import saved_model_pb2

    path = _check_model_dir(model_dir) / "saved_model.pb"
    saved_model = saved_model_pb2.SavedModel()
    saved_model.ParseFromString(path.read_bytes())
    for meta_graph in saved_model.meta_graphs:
        if SERVE_TAG in meta_graph.meta_info_def.tags:
            return {
                name: sig
                for name, sig in meta_graph.signature_def.items()
                if not name.startswith("__")
            }
    raise ServingCheckError(
        f"'{path}' has no MetaGraph tagged '{SERVE_TAG}', which TF Serving loads."
    )


def _make_servicer(loaded, model_name: str, model_dir):
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import get_model_metadata_pb2
    from tensorflow_serving.apis import predict_pb2
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    class SavedModelPredictionServicer(prediction_service_pb2_grpc.PredictionServiceServicer):
        """`Predict` and `GetModelMetadata` over the signatures of one loaded SavedModel (the
        method names are those of TF Serving's gRPC API)."""

        def _check_model_name(self, model_spec, context):
            if model_spec.name and model_spec.name != model_name:
                context.abort(
                    grpc.StatusCode.NOT_FOUND,
                    f"Servable not found for request: model '{model_spec.name}' (this server "
                    f"serves '{model_name}').",
                )

        def GetModelMetadata(self, request, context):
            self._check_model_name(request.model_spec, context)
            if list(request.metadata_field) != ["signature_def"]:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"Metadata field(s) {list(request.metadata_field)} not supported; request "
                    "['signature_def'].",
                )
            signature_map = get_model_metadata_pb2.SignatureDefMap()
            for name, signature in signature_defs(model_dir).items():
                signature_map.signature_def[name].CopyFrom(signature)
            response = get_model_metadata_pb2.GetModelMetadataResponse()
            response.model_spec.name = model_name
            response.model_spec.version.value = 1
            response.metadata["signature_def"].Pack(signature_map)
            return response

        def Predict(self, request, context):
            self._check_model_name(request.model_spec, context)
            name = request.model_spec.signature_name or DEFAULT_SIGNATURE
            if name not in loaded.signatures:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"Serving signature name '{name}' not found; available: "
                    f"{sorted(loaded.signatures)}.",
                )
            fn = loaded.signatures[name]
            expected = fn.structured_input_signature[1]
            if set(request.inputs) != set(expected):
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"Signature '{name}' takes inputs {sorted(expected)}; the request sent "
                    f"{sorted(request.inputs)}.",
                )
            # Like TF Serving, dtypes are checked here and shapes by the graph itself (the
            # exported endpoints validate their inputs with clear messages).
            inputs = {}
            for key, spec in expected.items():
                value = tf.make_ndarray(request.inputs[key])
                if value.dtype != spec.dtype.as_numpy_dtype:
                    context.abort(
                        grpc.StatusCode.INVALID_ARGUMENT,
                        f"Input '{key}' of '{name}' must be {spec.dtype.name}; received "
                        f"{value.dtype}.",
                    )
                inputs[key] = tf.constant(value)
            try:
                outputs = fn(**inputs)
            except (tf.errors.InvalidArgumentError, ValueError, TypeError) as error:
                message = (getattr(error, "message", None) or str(error)).strip()
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, message[:4000])
            wanted = list(request.output_filter) or sorted(outputs)
            unknown = sorted(set(wanted) - set(outputs))
            if unknown:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"output_filter names {unknown}; '{name}' outputs {sorted(outputs)}.",
                )
            response = predict_pb2.PredictResponse()
            response.model_spec.name = model_name
            response.model_spec.version.value = 1
            response.model_spec.signature_name = name
            for key in wanted:
                response.outputs[key].CopyFrom(tf.make_tensor_proto(outputs[key].numpy()))
            return response

    return SavedModelPredictionServicer()


class LoopbackPredictionServer:
    """A TF Serving-style gRPC `PredictionService` on 127.0.0.1 for one loaded SavedModel.

    Use as a context manager; the server also stops itself after `max_lifetime_s` seconds so a
    forgotten server never outlives a check.

    Args:
        loaded: the object returned by `tf.saved_model.load(model_dir)`.
        model_dir: the SavedModel folder (for `GetModelMetadata`).
        model_name: the servable name requests must use (TF Serving's `--model_name`).
        port: TCP port on 127.0.0.1; 0 picks a free one.
        max_lifetime_s: seconds after which the server stops on its own.
    """

    def __init__(self, loaded, model_dir, model_name="dynscene", port=0, max_lifetime_s=300.0):
        self.loaded = loaded
        self.model_dir = model_dir
        self.model_name = model_name
        self.requested_port = int(port)
        self.max_lifetime_s = float(max_lifetime_s)
        self.port = None
        self._server = None
        self._timer = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self):
        import grpc
        from tensorflow_serving.apis import prediction_service_pb2_grpc

        if self._server is not None:
            raise RuntimeError(f"The server is already running on {self.address}.")
        options = [
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ]
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=options)
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
            _make_servicer(self.loaded, self.model_name, self.model_dir), server
        )
        try:
            port = server.add_insecure_port(f"127.0.0.1:{self.requested_port}")
        except RuntimeError as error:
            port, cause = 0, error
        else:
            cause = None
        if not port:
            raise OSError(
                f"Could not bind a gRPC server to 127.0.0.1:{self.requested_port} (in use?). "
                "Pass port=0 to pick a free port."
            ) from cause
        server.start()
        self._server, self.port = server, port
        self._timer = threading.Timer(self.max_lifetime_s, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self, grace=None):
        if self._timer is not None:
            self._timer.cancel()
        if self._server is not None:
            self._server.stop(grace).wait(10)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def _require(condition, message):
    if not condition:
        raise ServingCheckError(message)


def _context_input(spec: dict, context) -> np.ndarray:
    shape = spec["shape"]
    if context is None:
        return np.zeros([1, *shape[1:]], dtype="float32")
    context = np.asarray(context)
    if context.dtype == np.uint8:
        context = context.astype("float32") / 255.0
    context = context.astype("float32")
    if context.ndim != len(shape) or any(
        s is not None and s != c for s, c in zip(shape, context.shape)
    ):
        raise ValueError(
            f"`context` must have shape {shape} (None: any batch size) to match the exported "
            f"signature; received {list(context.shape)}."
        )
    if not np.all(np.isfinite(context)) or context.min() < 0.0 or context.max() > 1.0:
        raise ValueError("`context` must be finite floats in [0, 1] (or uint8 in [0, 255]).")
    return context


def predict_request(signature: str, inputs: dict, model_name: str = "dynscene"):
    """A TF Serving `PredictRequest` for `signature` with NumPy `inputs`."""
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    return request


def serving_check(
    model_dir,
    port: int = 0,
    context=None,
    seed=(1, 2),
    model_name: str = "dynscene",
    timeout_s: float = 120.0,
) -> dict:
    """Serves an exported video predictor over loopback gRPC and checks real `PredictRequest`s.

    Loads `model_dir` with `tf.saved_model.load`, starts a `LoopbackPredictionServer` on
    127.0.0.1 and, through a gRPC `PredictionServiceStub`:

    1. `GetModelMetadata` lists the signatures (with `serving_default`).
    2. `Predict` on `serving_default` with `context` and `seed` answers `frames` of shape
       [B, horizon, H, W, C] (the signature's), float32, finite, in [0, 1], and equal to calling
       the signature in process (the transport is lossless).
    3. The same seed gives the same frames; another seed gives different frames.
    4. `predict_uint8` (when exported) gives the same frames for the same frames as uint8.
    5. A context with one frame too few is refused with status INVALID_ARGUMENT.

    Args:
        model_dir: a SavedModel written by `export_video_predictor` (`dynscene export`).
        port: TCP port on 127.0.0.1 (0: a free one).
        context: [B, context_frames, H, W, C] float in [0, 1] or uint8; default one clip of zeros.
        seed: the two int32 seed values of the request.
        model_name: servable name used by server and client.
        timeout_s: per-RPC deadline; the server stops itself after 8 * timeout_s + 60 seconds.

    Returns:
        A JSON-serializable dict of what was checked and measured.

    Raises:
        FileNotFoundError: no SavedModel at `model_dir`.
        ServingCheckError: a check failed (the message says which and the values seen).
    """
    import tensorflow as tf

    model_dir = _check_model_dir(model_dir)
    loaded = tf.saved_model.load(str(model_dir))
    specs = signature_specs(loaded)
    _require(
        DEFAULT_SIGNATURE in specs,
        f"The SavedModel has no '{DEFAULT_SIGNATURE}' signature (TF Serving's default); found "
        f"{sorted(specs)}.",
    )
    default = specs[DEFAULT_SIGNATURE]
    if set(default["inputs"]) == set(SCENE_INPUTS):
        return scene_serving_check(loaded, model_dir, specs, port, seed, model_name, timeout_s)
    _require(
        set(default["inputs"]) == {"context", "seed"} and "frames" in default["outputs"],
        "Expected a video-prediction export: serving_default(context, seed) -> {frames}; found "
        f"inputs {sorted(default['inputs'])} and outputs {sorted(default['outputs'])}.",
    )
    context = _context_input(default["inputs"]["context"], context)
    seed = np.asarray(seed, dtype="int32")
    _require(seed.shape == (2,), f"`seed` must hold two integers; received {seed.tolist()}.")
    frames_spec = default["outputs"]["frames"]["shape"]
    expected_shape = [int(context.shape[0]), *frames_spec[1:]]

    result = {"model_dir": str(model_dir), "model_name": model_name, "signatures": specs}
    with _served(loaded, model_dir, model_name, port, timeout_s) as (predict, metadata):
        result.update(metadata)

        # 2. A real PredictRequest.
        start = time.perf_counter()
        outputs = predict(DEFAULT_SIGNATURE, {"context": context, "seed": seed})
        result["predict_latency_s"] = round(time.perf_counter() - start, 4)
        _require(
            set(outputs) == set(default["outputs"]),
            f"The response holds outputs {sorted(outputs)}; expected {sorted(default['outputs'])}.",
        )
        frames = outputs["frames"]
        result["request"] = {
            "signature_name": DEFAULT_SIGNATURE,
            "context_shape": list(context.shape),
            "context_dtype": str(context.dtype),
            "seed": seed.tolist(),
        }
        result["response"] = {
            "frames_shape": list(frames.shape),
            "frames_dtype": str(frames.dtype),
            "frames_min": float(frames.min()),
            "frames_max": float(frames.max()),
        }
        _require(
            list(frames.shape) == expected_shape and frames.dtype == np.float32,
            f"`frames` came back as {frames.dtype} {list(frames.shape)}; expected float32 "
            f"{expected_shape}.",
        )
        _require(
            bool(np.all(np.isfinite(frames))) and frames.min() >= 0.0 and frames.max() <= 1.0,
            f"`frames` must be finite and in [0, 1]; received [{frames.min()}, {frames.max()}].",
        )
        local = loaded.signatures[DEFAULT_SIGNATURE](
            context=tf.constant(context), seed=tf.constant(seed)
        )["frames"].numpy()
        result["matches_in_process_call"] = bool(np.array_equal(local, frames))
        _require(
            result["matches_in_process_call"],
            "The gRPC response differs from calling the signature in process (max abs diff "
            f"{float(np.abs(local - frames).max()):.3g}).",
        )

        # 3. Determinism per seed.
        again = predict(DEFAULT_SIGNATURE, {"context": context, "seed": seed})["frames"]
        result["same_seed_same_frames"] = bool(np.array_equal(again, frames))
        _require(
            result["same_seed_same_frames"],
            f"The same seed {seed.tolist()} gave different frames (max abs diff "
            f"{float(np.abs(again - frames).max()):.3g}).",
        )
        other_seed = seed + np.array([1, 0], dtype="int32")
        other = predict(DEFAULT_SIGNATURE, {"context": context, "seed": other_seed})["frames"]
        result["other_seed"] = other_seed.tolist()
        result["other_seed_mean_abs_diff"] = float(np.abs(other - frames).mean())
        result["different_seed_different_frames"] = bool(not np.array_equal(other, frames))
        _require(
            result["different_seed_different_frames"],
            f"Seeds {seed.tolist()} and {other_seed.tolist()} gave identical frames: the exported "
            "model ignores its noise.",
        )

        # 4. The uint8 endpoint.
        if UINT8_SIGNATURE in specs:
            context_uint8 = np.round(context * 255.0).astype("uint8")
            quantized = context_uint8.astype("float32") / 255.0
            reference = frames
            if not np.array_equal(quantized, context):
                reference = predict(DEFAULT_SIGNATURE, {"context": quantized, "seed": seed})[
                    "frames"
                ]
            frames_uint8 = predict(UINT8_SIGNATURE, {"context_uint8": context_uint8, "seed": seed})[
                "frames"
            ]
            result["uint8_matches_float"] = bool(np.allclose(frames_uint8, reference, atol=1e-6))
            _require(
                result["uint8_matches_float"],
                f"'{UINT8_SIGNATURE}' on uint8 frames differs from '{DEFAULT_SIGNATURE}' on the "
                "same frames / 255 (max abs diff "
                f"{float(np.abs(frames_uint8 - reference).max()):.3g}).",
            )

        # 5. A malformed request gets a clear error status.
        short = context[:, :-1] if context.shape[1] > 1 else np.concatenate([context] * 2, axis=1)
        bad = _bad_request_status(
            predict,
            DEFAULT_SIGNATURE,
            {"context": short, "seed": seed},
            f"a context of shape {list(short.shape)} (wrong frame count)",
        )
        result["bad_request_status"], result["bad_request_details"] = bad["status"], bad["details"]
        _require(
            result["bad_request_status"] == "INVALID_ARGUMENT"
            and "context" in result["bad_request_details"],
            f"A wrong-shaped context got status {result['bad_request_status']} "
            f"('{result['bad_request_details']}'); expected INVALID_ARGUMENT naming `context`.",
        )
    return result


@contextlib.contextmanager
def _served(loaded, model_dir, model_name: str, port: int, timeout_s: float):
    """Serves `loaded` on loopback gRPC; yields `predict(signature, inputs) -> outputs` (a real
    `PredictRequest` through a `PredictionServiceStub`) and what `GetModelMetadata` listed."""
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import get_model_metadata_pb2
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    channel_options = [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ]
    server = LoopbackPredictionServer(
        loaded, model_dir, model_name, port, max_lifetime_s=8 * timeout_s + 60
    )
    with server, grpc.insecure_channel(server.address, options=channel_options) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout_s)
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)

        def predict(signature, inputs):
            response = stub.Predict(
                predict_request(signature, inputs, model_name), timeout=timeout_s
            )
            return {key: tf.make_ndarray(proto) for key, proto in response.outputs.items()}

        # 1. Metadata.
        metadata_request = get_model_metadata_pb2.GetModelMetadataRequest()
        metadata_request.model_spec.name = model_name
        metadata_request.metadata_field.append("signature_def")
        metadata = stub.GetModelMetadata(metadata_request, timeout=timeout_s)
        signature_map = get_model_metadata_pb2.SignatureDefMap()
        metadata.metadata["signature_def"].Unpack(signature_map)
        listed = sorted(signature_map.signature_def)
        _require(
            DEFAULT_SIGNATURE in signature_map.signature_def,
            f"GetModelMetadata lists {listed} without '{DEFAULT_SIGNATURE}'.",
        )
        yield predict, {"address": server.address, "metadata_signatures": listed}


def _bad_request_status(predict, signature, inputs, what: str) -> dict:
    """Sends a malformed request; it must be refused with INVALID_ARGUMENT."""
    import grpc

    try:
        predict(signature, inputs)
    except grpc.RpcError as error:
        details = error.details() or ""
        lines = [line for line in details.splitlines() if "assertion failed" in line]
        return {"status": error.code().name, "details": (lines[0] if lines else details)[:500]}
    raise ServingCheckError(f"A request with {what} was accepted; expected INVALID_ARGUMENT.")


def scene_serving_check(
    loaded, model_dir, specs: dict, port=0, seed=(1, 2), model_name="dynscene", timeout_s=120.0
) -> dict:
    """`serving_check` for a scene renderer (JUMP / GQN, `export_scene_renderer`): a real
    `PredictRequest` with 2 context frames and 3 queries answers `frames` [1, 3, H, W, C] in
    [0, 1] equal to the in-process call, deterministic per seed, `render_uint8` agrees, and
    context views of the wrong length are refused with INVALID_ARGUMENT."""
    import tensorflow as tf

    inputs = specs[DEFAULT_SIGNATURE]["inputs"]
    frame_shape = inputs["context_frames"]["shape"][2:]
    view = inputs["context_views"]["shape"][2]
    seed = np.asarray(seed, dtype="int32")
    _require(seed.shape == (2,), f"`seed` must hold two integers; received {seed.tolist()}.")
    request = {
        "context_frames": np.full((1, 2, *frame_shape), 0.5, "float32"),
        "context_views": np.linspace(0, 0.2, 2 * view, dtype="float32").reshape(1, 2, view),
        "query_views": np.linspace(0.5, 1.0, 3 * view, dtype="float32").reshape(1, 3, view),
        "seed": seed,
    }
    result = {"model_dir": str(model_dir), "model_name": model_name, "signatures": specs}
    with _served(loaded, model_dir, model_name, port, timeout_s) as (predict, metadata):
        result.update(metadata)
        start = time.perf_counter()
        frames = predict(DEFAULT_SIGNATURE, request)["frames"]
        result["predict_latency_s"] = round(time.perf_counter() - start, 4)
        result["response"] = {"frames_shape": list(frames.shape), "dtype": str(frames.dtype)}
        _require(
            list(frames.shape) == [1, 3, *frame_shape] and frames.dtype == np.float32,
            f"`frames` came back as {frames.dtype} {list(frames.shape)}; expected float32 "
            f"{[1, 3, *frame_shape]}.",
        )
        _require(
            bool(np.all(np.isfinite(frames))) and frames.min() >= 0.0 and frames.max() <= 1.0,
            f"`frames` must be finite and in [0, 1]; received [{frames.min()}, {frames.max()}].",
        )
        tensors = {key: tf.constant(value) for key, value in request.items()}
        local = loaded.signatures[DEFAULT_SIGNATURE](**tensors)["frames"].numpy()
        result["matches_in_process_call"] = bool(np.array_equal(local, frames))
        _require(result["matches_in_process_call"], "The gRPC response differs in process.")
        again = predict(DEFAULT_SIGNATURE, request)["frames"]
        other = predict(DEFAULT_SIGNATURE, {**request, "seed": seed + 1})["frames"]
        result["same_seed_same_frames"] = bool(np.array_equal(again, frames))
        result["different_seed_different_frames"] = bool(not np.array_equal(other, frames))
        _require(
            result["same_seed_same_frames"] and result["different_seed_different_frames"],
            "Expected the same frames for the same seed and different frames for another seed.",
        )
        if "render_uint8" in specs:
            gray = np.full(request["context_frames"].shape, 128, "uint8")
            reference = predict(
                DEFAULT_SIGNATURE, {**request, "context_frames": gray.astype("float32") / 255.0}
            )["frames"]
            as_uint8 = {key: value for key, value in request.items() if key != "context_frames"}
            from_uint8 = predict("render_uint8", {**as_uint8, "context_frames_uint8": gray})[
                "frames"
            ]
            result["uint8_matches_float"] = bool(np.allclose(from_uint8, reference, atol=1e-6))
            _require(result["uint8_matches_float"], "'render_uint8' differs from the float call.")
        bad = {**request, "context_views": request["context_views"][:, :1]}
        result["bad_request"] = _bad_request_status(
            predict, DEFAULT_SIGNATURE, bad, "one context view for two frames"
        )
        _require(
            result["bad_request"]["status"] == "INVALID_ARGUMENT"
            and "context_views" in result["bad_request"]["details"],
            f"Mismatched context views got {result['bad_request']}; expected INVALID_ARGUMENT "
            "naming `context_views`.",
        )
    return result


def saved_model_cli_path() -> list:
    """The command that runs `saved_model_cli`: the console script beside `sys.executable`."""
    beside = Path(sys.executable).parent / "saved_model_cli"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("saved_model_cli")
    if found:
        return [found]
    return [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"]


def _run_cli(args, timeout_s):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    command = saved_model_cli_path() + args
    try:
        completed = subprocess.run(
            command, check=False, capture_output=True, text=True, timeout=timeout_s, env=env
        )
    except subprocess.TimeoutExpired as error:
        raise ServingCheckError(
            f"`{shlex.join(command)}` did not finish within {timeout_s} s."
        ) from error
    if completed.returncode != 0:
        raise ServingCheckError(
            f"`{shlex.join(command)}` failed with exit code {completed.returncode}:\n"
            f"{completed.stderr[-3000:]}"
        )
    return completed.stdout


def saved_model_cli_check(
    model_dir, context=None, seed=(1, 2), outdir=None, timeout_s: float = 300.0
) -> dict:
    """Runs `saved_model_cli show --all` and `saved_model_cli run` on `serving_default`.

    TF 2.21's `--input_exprs` only accepts Python literals (no `np.zeros(...)`), so the context
    goes in through `--inputs context=<file>.npy` and the seed as the literal
    `--input_exprs 'seed=[1, 2]'`. `run` writes `frames.npy` to `outdir` (a temporary folder
    unless given).

    Returns:
        `{"show": stdout, "run": stdout, "command": run command, "frames_shape": [...],
        "frames_path": path or None}`.

    Raises:
        FileNotFoundError: no SavedModel at `model_dir`.
        ServingCheckError: a command failed or `frames` has the wrong shape or range.
    """
    model_dir = _check_model_dir(model_dir)
    definition = signature_defs(model_dir).get(DEFAULT_SIGNATURE)
    _require(definition is not None, f"The SavedModel has no '{DEFAULT_SIGNATURE}' signature.")
    _require(
        set(definition.inputs) == {"context", "seed"} and "frames" in definition.outputs,
        f"Expected serving_default(context, seed) -> {{frames}}; found inputs "
        f"{sorted(definition.inputs)} and outputs {sorted(definition.outputs)}.",
    )
    context_shape = [
        d.size if d.size >= 0 else None for d in definition.inputs["context"].tensor_shape.dim
    ]
    frames_shape = [d.size for d in definition.outputs["frames"].tensor_shape.dim]
    context = _context_input({"shape": context_shape}, context)
    seed = [int(s) for s in seed]

    show = _run_cli(["show", "--dir", str(model_dir), "--all"], timeout_s)
    for name in (DEFAULT_SIGNATURE, "context", "seed", "frames"):
        _require(name in show, f"`saved_model_cli show --all` does not mention '{name}':\n{show}")

    with tempfile.TemporaryDirectory() as tmp:
        context_path = os.path.join(tmp, "context.npy")
        np.save(context_path, context)
        target = os.fspath(outdir) if outdir is not None else os.path.join(tmp, "outputs")
        run_args = [
            "run",
            "--dir",
            str(model_dir),
            "--tag_set",
            SERVE_TAG,
            "--signature_def",
            DEFAULT_SIGNATURE,
            "--inputs",
            f"context={context_path}",
            "--input_exprs",
            f"seed={seed}",
            "--outdir",
            target,
            "--overwrite",
        ]
        run = _run_cli(run_args, timeout_s)
        frames = np.load(os.path.join(target, "frames.npy"))
    expected = [int(context.shape[0]), *frames_shape[1:]]
    _require(
        list(frames.shape) == expected,
        f"`saved_model_cli run` returned frames of shape {list(frames.shape)}; "
        f"expected {expected}.",
    )
    _require(
        bool(np.all(np.isfinite(frames))) and frames.min() >= 0.0 and frames.max() <= 1.0,
        f"`saved_model_cli run` frames lie in [{frames.min()}, {frames.max()}], not [0, 1].",
    )
    return {
        "show": show,
        "run": run,
        "command": shlex.join(saved_model_cli_path() + run_args),
        "frames_shape": list(frames.shape),
        "frames_path": os.path.join(target, "frames.npy") if outdir is not None else None,
    }
