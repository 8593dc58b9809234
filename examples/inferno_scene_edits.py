"""Infer object-centric 3D scenes from single images with INFERNO, edit them, render them.

Loads the shipped `inferno_objects3d` preset (or any INFERNO `.keras` file), infers the scenes of
a few `procedural_objects3d` test images and writes, under `--out`:

- `edits.png`: per image, input | reconstruction | each object slot alone | remove, translate,
  scale, camera move (the `dynscene sample` grid);
- `add_and_swap.png`: per image, reconstruction | the most visible object of the next image
  added | that object's identity (shape and appearance codes) swapped into this image's most
  visible object, at its pose;
- `orbit.gif` and `orbit.png`: the first scenes rendered from a camera orbiting the scene, 10
  degree steps (novel views, 10.D), with a PNG strip of the frames.

    python examples/inferno_scene_edits.py --out runs/inferno_edits
    python examples/inferno_scene_edits.py --preset runs/inferno/model.keras --num-images 6

The same grid from the command line: `dynscene sample --preset inferno_objects3d --out x.png`.
"""

import argparse
import os

import numpy as np
import tensorflow_datasets as tfds

import keras_dynscene.datasets  # noqa: F401 (registers the builders)
from keras_dynscene.models import INFERNO
from keras_dynscene.models.inferno import scene_edits
from keras_dynscene.visualization.scene_edit_grid import scene_edit_grid
from keras_dynscene.visualization.uint8_video import to_uint8_rgb
from keras_dynscene.visualization.video_grid import save_png
from keras_dynscene.visualization.video_grid import tile_videos
from keras_dynscene.visualization.video_writer import write_gif


def most_visible_objects(model, scene):
    masks = model.render_scene(scene)["object_masks"]
    return masks.sum(axis=(2, 3)).argmax(axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="inferno_objects3d")
    parser.add_argument("--num-images", type=int, default=4)
    parser.add_argument("--orbit-steps", type=int, default=36)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/inferno_edits")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    model = INFERNO.from_preset(args.preset)
    # The scenes of the TFDS test split, regenerated from its seed (nothing to download).
    config = f"procedural_objects3d/{model.image_size}x{model.image_size}"
    scenes = tfds.builder(config).builder_config.generator("test")
    images = scenes.examples(0, args.num_images)["images"]

    save_png(os.path.join(args.out, "edits.png"), scene_edit_grid(model, images, seed=args.seed))

    scene = model.infer_scene(images, seed=args.seed)
    index = most_visible_objects(model, scene)
    # Each image receives the most visible object of the next image.
    donor = {key: np.roll(value, -1, axis=0) for key, value in scene.items()}
    donor_index = np.roll(index, -1)
    added = scene_edits.add_object(scene, donor, donor_index)
    swapped = scene_edits.swap_identity(scene, index, donor, donor_index)
    rows = [model.render_scene(s)["image"] for s in (scene, added, swapped)]
    grid = np.concatenate([np.concatenate(list(to_uint8_rgb(r, 4)), axis=0) for r in rows], 1)
    save_png(os.path.join(args.out, "add_and_swap.png"), grid)

    azimuths = model.camera_azimuth + 360.0 * np.arange(args.orbit_steps) / args.orbit_steps
    frames = [
        model.render_scene(scene, camera=model.camera(azimuth=float(azimuth)))["image"]
        for azimuth in azimuths
    ]
    orbit = to_uint8_rgb(np.stack(frames, axis=1), 5)  # [B, T, H, W, 3]
    video = tile_videos(list(orbit))
    write_gif(os.path.join(args.out, "orbit.gif"), video, fps=8)
    strip = np.concatenate(list(video[:: max(1, args.orbit_steps // 9)]), axis=1)
    save_png(os.path.join(args.out, "orbit.png"), strip)
    print(f"Wrote edits.png, add_and_swap.png, orbit.gif and orbit.png to {args.out}")


if __name__ == "__main__":
    main()
