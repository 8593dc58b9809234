"""Shared test helpers: every layer/model test checks config, JSON and `.keras` round trips."""

import json
import os
import subprocess
import sys
import tempfile

import keras
import numpy as np
import pytest

# Eager JAX compiles every primitive for every new shape: eager generation of a fresh cascade
# takes minutes there. On JAX the CVG suite runs the compiled life cycle (both levels train, save,
# reload, resume) and the window-unroll check; the other eager checks run on TF and torch.
not_on_jax = pytest.mark.skipif(
    keras.backend.backend() == "jax", reason="eager-only check; minutes of op-by-op compiles"
)


class TestCase:
    """Mix-in with thorough-by-default checks for layers and models (pytest collects `Test*`)."""

    def assert_allclose(self, actual, expected, atol=1e-6, rtol=1e-6, msg=None):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(actual),
            keras.ops.convert_to_numpy(expected),
            atol=atol,
            rtol=rtol,
            err_msg=msg or "",
        )

    def run_serialization_test(self, instance):
        """get_config -> from_config and serialize -> JSON -> deserialize give equal configs."""
        config = instance.get_config()
        revived = instance.__class__.from_config(config)
        assert revived.get_config() == config
        serialized = keras.saving.serialize_keras_object(instance)
        revived = keras.saving.deserialize_keras_object(json.loads(json.dumps(serialized)))
        assert revived.get_config() == config
        return revived

    def run_layer_test(self, layer, inputs, expected_output_shape, call_kwargs=None):
        """Eager call, serialization, and a `.keras` round trip of a model wrapping the layer."""
        call_kwargs = call_kwargs or {}
        outputs = layer(inputs, **call_kwargs)
        shapes = keras.tree.map_structure(lambda t: tuple(t.shape), outputs)
        assert shapes == expected_output_shape, f"expected {expected_output_shape}, got {shapes}"
        for value in keras.tree.flatten(outputs):
            assert np.all(np.isfinite(keras.ops.convert_to_numpy(value)))
        self.run_serialization_test(layer)
        return outputs

    def run_model_saving_test(self, model, inputs, call=None, atol=1e-5):
        """Saves to `.keras`, reloads, and checks the reloaded model computes the same outputs."""
        call = call or (lambda m, x: m(x, training=False))
        expected = call(model, inputs)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.keras")
            model.save(path)
            restored = keras.saving.load_model(path)
        actual = call(restored, inputs)
        keras.tree.map_structure(
            lambda a, b: self.assert_allclose(a, b, atol=atol, rtol=atol), actual, expected
        )
        return restored


GENERATE_ON_BACKEND = """
import json, sys, numpy as np, keras
import keras_dynscene.models  # registers the model classes
data = np.load(sys.argv[2])
model = keras.saving.load_model(sys.argv[1])
noise = [data[f"noise_{i}"] for i in range(len(data.files) - 2)]
frames = keras.ops.convert_to_numpy(model.generate(data["context"], noise))
print(json.dumps({"backend": keras.backend.backend(),
                  "max_error": float(np.abs(frames - data["expected"]).max())}))
"""


def run_cross_backend_generation_test(model, context, horizon, target_backend, folder):
    """Saves `model` here, reloads it under `target_backend` in a subprocess, and checks that
    `generate` with the same noise gives the same frames (max abs error < 1e-4)."""
    noise = model.sample_noise(context.shape[0], horizon, seed=4)
    expected = keras.ops.convert_to_numpy(model.generate(context, noise))
    model.save(os.path.join(folder, "model.keras"))
    arrays = {f"noise_{i}": n for i, n in enumerate(noise)}
    np.savez(os.path.join(folder, "data.npz"), context=context, expected=expected, **arrays)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            GENERATE_ON_BACKEND,
            os.path.join(folder, "model.keras"),
            os.path.join(folder, "data.npz"),
        ],
        env={**os.environ, "KERAS_BACKEND": target_backend},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == target_backend
    assert report["max_error"] < 1e-4
