"""Checks TensorBoard event files the way TensorBoard reads them; run through check-tensorboard.sh.

    check_tensorboard.py RUN_FOLDER [--expect TAG]...

For every event file under RUN_FOLDER (subfolders included, as `tensorboard --logdir` does):
1. reads each record with TensorBoard's own record reader (both CRCs checked) and parses it as
   an Event protobuf; the first record must carry file_version "brain.Event:2";
2. loads the scalars with EventAccumulator (all of them, no sampling) and checks it kept every
   simple_value the file holds (a dropped value means a malformed Summary);
then prints each tag with its count, last step and last value, and fails (exit 1) on a missing
--expect tag or a value that is not finite. TensorBoard itself skips a bad record silently,
which is why step 1 reads the records directly.
"""

import argparse
import math
import os
import sys
from collections import defaultdict

import tensorboard
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import errors, pywrap_tensorflow

FILE_VERSION = "brain.Event:2"


def event_files(folder):
    """Event files in name order per folder, the order TensorBoard reads them in."""
    found = []
    for root, _, names in sorted(os.walk(folder)):
        found += [os.path.join(root, name) for name in sorted(names) if "tfevents" in name]
    return found


def raw_scalar_counts(path, problems):
    """Reads every record; returns {tag: number of simple_values}, adding any problem found."""
    counts = defaultdict(int)
    reader = pywrap_tensorflow.PyRecordReader_New(path)
    index = 0
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            break
        except errors.DataLossError as error:
            problems.append(f"record {index}: {error.message}")  # the message names the file
            break
        event = event_pb2.Event()
        try:
            event.ParseFromString(reader.record())
        except Exception as error:  # protobuf's DecodeError, whose module differs by version
            problems.append(f"{path}: record {index} is not an Event protobuf: {error}")
            break
        if index == 0 and event.file_version != FILE_VERSION:
            problems.append(f"{path}: first record has file_version {event.file_version!r}, not {FILE_VERSION!r}")
        for value in event.summary.value:
            if value.HasField("simple_value"):
                counts[value.tag] += 1
        index += 1
    if index == 0:
        problems.append(f"{path}: no records")
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a run folder holding events.out.tfevents.* files")
    parser.add_argument("--expect", action="append", default=[], metavar="TAG",
                        help="a scalar tag that must be present (repeatable)")
    args = parser.parse_args()

    print(f"tensorboard {tensorboard.__version__}")
    if not os.path.isdir(args.folder):
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 1
    files = event_files(args.folder)
    if not files:
        print(f"error: no event files (events.out.tfevents.*) under {args.folder}", file=sys.stderr)
        return 1

    problems = []
    scalars = defaultdict(list)  # tag -> [(file, step, value)], file by file
    for path in files:
        raw = raw_scalar_counts(path, problems)
        accumulator = EventAccumulator(path, size_guidance={"scalars": 0})
        accumulator.Reload()
        tags = accumulator.Tags()["scalars"]
        name = os.path.relpath(path, args.folder)
        print(f"{name}: {sum(len(accumulator.Scalars(tag)) for tag in tags)} scalars, {len(tags)} tags")
        for tag in tags:
            events = accumulator.Scalars(tag)
            if len(events) != raw.get(tag, 0):
                problems.append(f"{path}: tag {tag}: TensorBoard loaded {len(events)} of {raw.get(tag, 0)} values")
            scalars[tag] += [(path, event.step, event.value) for event in events]
        for tag in set(raw) - set(tags):
            problems.append(f"{path}: tag {tag}: TensorBoard loaded none of {raw[tag]} values")

    width = max(len(tag) for tag in scalars) if scalars else 0
    for tag in sorted(scalars):
        values = scalars[tag]
        _, last_step, last_value = values[-1]
        print(f"  {tag:<{width}}  {len(values):>7} values  last step {last_step:>8}  last {last_value:.6g}")
        bad = [(path, step, value) for path, step, value in values if not math.isfinite(value)]
        if bad:
            path, step, value = bad[0]
            problems.append(f"tag {tag}: {len(bad)} values not finite, first {value} at step {step} in {path}")

    for tag in args.expect:
        if tag not in scalars:
            problems.append(f"missing tag {tag} (found: {', '.join(sorted(scalars)) or 'none'})")

    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {len(files)} files, {len(scalars)} tags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
