"""Best-of-N evaluation of a preset against the copy-last-frame baseline, in Python.

    python examples/evaluate_preset.py --preset hier_vrnn_smmnist --num-videos 64 --num-samples 100

`dynscene evaluate` does the same and also scores an untrained copy of the model.
"""

import argparse
import json

from keras_dynscene.data.test_clips import load_test_clips
from keras_dynscene.evaluation.video_prediction_evaluation import copy_last_frame_sampler
from keras_dynscene.evaluation.video_prediction_evaluation import evaluate_video_prediction
from keras_dynscene.evaluation.video_prediction_evaluation import model_sampler
from keras_dynscene.models import load_preset


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="hier_vrnn_smmnist")
    parser.add_argument("--dataset", default="stochastic_moving_mnist/2digits")
    parser.add_argument("--num-videos", type=int, default=64)
    parser.add_argument("--num-samples", type=int, default=100)
    args = parser.parse_args()

    model = load_preset(args.preset)
    horizon = model.future_frames
    videos = load_test_clips(args.dataset, args.num_videos, model.context_frames + horizon, seed=0)
    results = {
        "model": evaluate_video_prediction(
            model_sampler(model), videos, model.context_frames, horizon, args.num_samples
        ),
        "copy_last_frame": evaluate_video_prediction(
            copy_last_frame_sampler, videos, model.context_frames, horizon, 1
        ),
    }
    print(json.dumps({k: {m: v[m]["mean"] for m in v} for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
