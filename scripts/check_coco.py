#!/usr/bin/env python3
"""Loads a COCO export (scripts/curate export-coco) with pycocotools, as CVAT's and most trainers' readers do,
and checks it: every image file exists, is a JPEG of the stated size; every annotation's box lies inside its
image; person keypoints are 17 (x, y, v) triplets with v in {0, 2} and num_keypoints counting the v = 2 ones.
Prints one summary line; exit status 0 when every check passes, 1 otherwise.

usage: check-coco DIR        (DIR holds annotations.json and images/)
"""
import json
import os
import struct
import sys


def jpeg_size(path):
    """Width and height from the first SOF marker (no image library needed)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        i += 2 + length
    raise ValueError("no SOF marker")


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    from pycocotools.coco import COCO

    root = argv[1]
    coco = COCO(os.path.join(root, "annotations.json"))
    problems = []
    cats = coco.loadCats(coco.getCatIds())
    if [c["name"] for c in cats] != ["person"] or len(cats[0]["keypoints"]) != 17:
        problems.append("categories: %s" % json.dumps(cats))
    with_keypoints = 0
    for img in coco.loadImgs(coco.getImgIds()):
        path = os.path.join(root, "images", img["file_name"])
        try:
            size = jpeg_size(path)
        except (OSError, ValueError) as e:
            problems.append("%s: %s" % (img["file_name"], e))
            continue
        if size != (img["width"], img["height"]):
            problems.append("%s: %s, not %dx%d" % (img["file_name"], size, img["width"], img["height"]))
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=[img["id"]])):
            x, y, w, h = ann["bbox"]
            if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > img["width"] + 0.01 or y + h > img["height"] + 0.01:
                problems.append("annotation %d: box %s outside %dx%d" % (ann["id"], ann["bbox"], img["width"], img["height"]))
            k = ann.get("keypoints")
            if k is None:
                continue
            with_keypoints += 1
            if len(k) != 51 or any(v not in (0, 2) for v in k[2::3]) or ann["num_keypoints"] != sum(v == 2 for v in k[2::3]):
                problems.append("annotation %d: keypoints %s" % (ann["id"], k))
    print("coco: %d images, %d annotations, %d with keypoints, %d problems" % (
        len(coco.getImgIds()), len(coco.getAnnIds()), with_keypoints, len(problems)))
    for p in problems[:20]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
