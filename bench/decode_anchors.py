#!/usr/bin/python3
"""Frame fetching: ppbench beside PyAV and OpenCV, in one run, on the same frames.

For one-minute 640x360 H.264 videos at 30 fps (GOP 30 and GOP 250, x264's default B-frames),
every sampling policy and 8, 32 and 64 frames, it times:
  ours    build/ppb_decode_timer: open + index, pick indices, decode to RGB (native size)
  pyav    PyAV: decode in order, convert the wanted frames with to_ndarray('rgb24'), stop after
          the last one (the way lmms-eval's PyAV loader reads)
  opencv  OpenCV (FFmpeg backend): grab() every frame in order, retrieve() the wanted ones
single-threaded and with THREADS decoder threads. A row counts only once ours equals both
anchors' frames pixel for pixel. Times are the minimum over the repeats, in milliseconds.

Needs Debian's python3-av, python3-opencv and python3-numpy; run with /usr/bin/python3:
  /usr/bin/python3 bench/decode_anchors.py [--build build] [--repeats 2] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import av
import cv2
import numpy as np

POLICIES = ["segment_midpoint", "segment_midpoint_vcg", "linspace_inclusive", "interior_uniform", "fps",
            "lvb_floor_stride", "random_segment"]


def make_video(path, gop, seconds=60, fps=30, w=640, h=360):
    """Moving gradients, boxes and grain: enough detail for a realistic bit rate and frames that all differ."""
    if os.path.exists(path):
        return
    rng = np.random.default_rng(gop)
    yy, xx = np.mgrid[0:h, 0:w]
    c = av.open(path + ".part.mp4", "w")
    s = c.add_stream("libx264", rate=fps)
    s.width, s.height, s.pix_fmt = w, h, "yuv420p"
    s.options = {"g": str(gop), "keyint_min": str(gop), "sc_threshold": "0", "crf": "23"}
    for f in range(seconds * fps):
        img = np.empty((h, w, 3), np.uint8)
        img[..., 0] = (xx + 3 * f) % 256
        img[..., 1] = (yy * 2 + f) % 256
        img[..., 2] = ((xx + yy) // 2 + 5 * f) % 256
        for k in range(4):
            x0 = int((f * (3 + k) + 97 * k) % (w - 60))
            y0 = int((f * (2 + k) + 53 * k) % (h - 60))
            img[y0:y0 + 60, x0:x0 + 60] = (40 * k, 255 - 40 * k, 128)
        img = np.clip(img.astype(np.int16) + rng.integers(-6, 7, img.shape), 0, 255).astype(np.uint8)
        for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
            c.mux(p)
    for p in s.encode():
        c.mux(p)
    c.close()
    os.rename(path + ".part.mp4", path)


def ours(timer, path, policy, count, threads, repeats, dump):
    out = subprocess.run([timer, path, policy, str(count), str(threads), str(repeats), dump], check=True,
                         capture_output=True, text=True).stdout
    r = json.loads(out)
    frames = np.fromfile(dump, np.uint8).reshape(r["shape"])
    return min(r["ms"]), r["indices"], frames, r


def pyav_fetch(path, indices, threads):
    want = set(indices)
    last = max(indices)
    got = {}
    with av.open(path) as c:
        s = c.streams.video[0]
        if threads > 1:
            s.thread_type = "AUTO"
            s.thread_count = threads
        for i, f in enumerate(c.decode(s)):
            if i in want:
                got[i] = f.to_ndarray(format="rgb24")
            if i >= last:
                break
    return np.stack([got[i] for i in indices])


def opencv_fetch(path, indices, threads):
    want = set(indices)
    last = max(indices)
    got = {}
    os.environ["OPENCV_FFMPEG_THREADS"] = str(threads)  # OpenCV 4.6's decoder thread knob, read at open
    cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    for i in range(last + 1):
        if not cap.grab():
            raise RuntimeError(f"opencv: frame {i} missing in {path}")
        if i in want:
            ok, bgr = cap.retrieve()
            if not ok:
                raise RuntimeError(f"opencv: cannot retrieve frame {i}")
            got[i] = bgr[..., ::-1]
    cap.release()
    return np.stack([got[i] for i in indices])


def timed(fn, repeats, *args):
    best, frames = None, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        frames = fn(*args)
        ms = (time.perf_counter() - t0) * 1000
        best = ms if best is None else min(best, ms)
    return best, frames


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build folder holding ppb_decode_timer")
    ap.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "ppb_decode_bench"),
                    help="folder for the generated videos (kept between runs)")
    ap.add_argument("--repeats", type=int, default=2, help="timings per case; the minimum is reported")
    ap.add_argument("--threads", type=int, default=2, help="decoder threads of the threaded rows")
    ap.add_argument("--gops", default="30,250")
    ap.add_argument("--counts", default="8,32,64")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--json", help="also write the rows here")
    a = ap.parse_args()
    timer = os.path.join(a.build, "ppb_decode_timer")
    os.makedirs(a.data, exist_ok=True)
    dump = os.path.join(a.data, "ours.raw")
    rows = []
    print("| GOP | policy | frames | threads | ours ms | PyAV ms | OpenCV ms | faster anchor / ours | ours: strategy, decoded |")
    print("|---|---|---|---|---|---|---|---|---|")
    for gop in [int(g) for g in a.gops.split(",")]:
        path = os.path.join(a.data, f"h264_640x360_30fps_60s_gop{gop}.mp4")
        make_video(path, gop)
        for policy in a.policies.split(","):
            for count in [int(n) for n in a.counts.split(",")]:
                for threads in (1, a.threads):
                    ms, idx, frames, info = ours(timer, path, policy, count, threads, a.repeats, dump)
                    pms, pframes = timed(pyav_fetch, a.repeats, path, idx, threads)
                    cms, cframes = timed(opencv_fetch, a.repeats, path, idx, threads)
                    same = np.array_equal(frames, pframes) and np.array_equal(frames, cframes)
                    if not same:
                        diff = [int(np.abs(frames.astype(int) - x.astype(int)).max()) for x in (pframes, cframes)]
                        print(f"MISMATCH gop {gop} {policy} {count}: max abs diff vs PyAV, OpenCV = {diff}",
                              file=sys.stderr)
                    ratio = min(pms, cms) / ms
                    row = dict(gop=gop, policy=policy, frames=count, threads=threads, ours_ms=ms, pyav_ms=pms,
                               opencv_ms=cms, ratio=ratio, identical=bool(same), strategy=info["strategy"],
                               frames_decoded=info["frames_decoded"], indices=len(idx))
                    rows.append(row)
                    flag = "" if same else " NOT IDENTICAL"
                    print(f"| {gop} | {policy} | {len(idx)} | {threads} | {ms:.0f} | {pms:.0f} | {cms:.0f} | "
                          f"{ratio:.2f}x{flag} | {info['strategy']}, {info['frames_decoded']} |", flush=True)
    ok = [r for r in rows if r["identical"]]
    if ok:
        worst = min(ok, key=lambda r: r["ratio"])
        at32 = [r["ratio"] for r in ok if r["frames"] == 32]
        print(f"\nidentical rows: {len(ok)}/{len(rows)}; slowest ratio {worst['ratio']:.2f}x "
              f"(GOP {worst['gop']}, {worst['policy']}, {worst['frames']} frames, {worst['threads']} threads); "
              f"at 32 frames the ratio ranges {min(at32):.2f}x to {max(at32):.2f}x")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if len(ok) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
