import keras


class RenderStageSwitch(keras.callbacks.Callback):
    """Switches an INFERNO model from upscaler rendering to full-resolution NeRF rendering.

    Thesis 10.2.1 / 10.4.1: training starts with 16x16 feature rendering and the neural
    upscaler; after `switch_step` optimizer steps (100k in the thesis) the upscaler is removed
    and the NeRFs render RGB at the image resolution. The stage is a Python attribute baked into
    the compiled train step, so the callback sets `model.render_stage` and rebuilds the train
    function. It reads the optimizer's step count, so a run resumed from a checkpoint past the
    switch (e.g. by `BackupAndRestore`) continues in the full stage.

    Args:
        switch_step: optimizer step at which full-resolution rendering starts.
        verbose: print the switch.

    Example:
    ```python
    model.fit(dataset, epochs=10, callbacks=[RenderStageSwitch(switch_step=2000)])
    ```

    Reference:
        Thesis 10.2.1 and 10.E.
    """

    def __init__(self, switch_step, verbose=1):
        super().__init__()
        if not isinstance(switch_step, int) or switch_step < 0:
            raise ValueError(
                f"RenderStageSwitch: expected a non-negative int switch_step, received "
                f"{switch_step!r}."
            )
        self.switch_step = switch_step
        self.verbose = verbose

    def _optimizer_step(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return 0
        return int(keras.ops.convert_to_numpy(optimizer.iterations))

    def _maybe_switch(self):
        if self.model.render_stage == "full" or self.step < self.switch_step:
            return
        self.model.render_stage = "full"
        self.model.make_train_function(force=True)
        if self.verbose:
            print(
                f"\nRenderStageSwitch: step {self.step}: rendering at full resolution without "
                "the neural upscaler from now on."
            )

    def on_train_begin(self, logs=None):
        if not hasattr(self.model, "render_stage"):
            raise ValueError(
                f"RenderStageSwitch: {type(self.model).__name__} has no render_stage; the "
                "callback is for INFERNO models."
            )
        # Counted here, not read per batch: JAX syncs the optimizer's variables between epochs.
        self.step = self._optimizer_step()
        self._maybe_switch()

    def on_train_batch_begin(self, batch, logs=None):
        self._maybe_switch()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
