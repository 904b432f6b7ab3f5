#!/usr/bin/env python3
"""Synthesise an interview answer whose truth is known.

Speech comes from espeak-ng, sentence by sentence, with silences of known
length between sentences. Next to the media it writes `<name>.truth.json`:
every sentence's words and time span, the scripted filler words (and the
words that look like fillers but are not), the inserted pauses, the word count
and the speaking time. Tests and benchmarks compare Candor's output with it.

    make-interview.py OUT.wav                        # ~75 s answer, audio only
    make-interview.py OUT.mp4 --minutes 10 --video 1280x720@30
    make-interview.py OUT.webm --video 640x360@25
    make-interview.py OUT.mp3 --sentences 3            # a short answer
    make-interview.py --print-script                   # the script alone, as JSON
    make-interview.py OUT.mp4 --video 1280x720@30 --face astronaut --no-face 20:25

With --face, the video shows a real face photo (`astronaut`: scikit-image's
public-domain NASA portrait, fetched from PyPI once, or any image path) on a
plain background instead of a test pattern, centred, three quarters of the
frame height; --no-face START:END removes it for that stretch. The truth file then
also gives the photo's box and the stretches without a face.

Needs espeak-ng and ffmpeg on PATH. Only the standard library is used.
"""
import argparse
import array
import glob
import json
import os
import subprocess
import sys
import tempfile
import wave
import zipfile

RATE = 22050  # espeak-ng's native output rate
WPM = 150     # espeak-ng speaking rate, words per minute

# (sentence, pause after it in seconds). No pause is shorter than 0.6 s: the
# analysis reports pauses from 0.5 s, and a truth on that edge tests nothing. Fillers are written as they are
# meant: "um", "uh", "like" (filler), "you know". Words that look like
# fillers but are not ("I like", "kind of tool") are listed in NOT_FILLERS.
SCRIPT = [
    ("Um, in my last role I led a team of five engineers at a logistics company.", 0.8),
    ("The situation was that our delivery tracking system failed about twice a week.", 0.6),
    ("My task was to, uh, make it reliable before the holiday peak.", 1.5),
    ("I like this kind of problem, because you can measure progress every day.", 0.7),
    ("First I added monitoring, and then, um, we found that one database query caused most outages.", 0.6),
    ("We rewrote it, like, in two weeks, and we added load tests for every release.", 2.6),
    ("As a result, outages dropped by eighty percent and we saved forty thousand dollars a year.", 0.7),
    ("I think, uh, I would probably start the load tests even earlier next time.", 0.9),
    ("You know, the team learned a lot, and two of them were promoted the following year.", 1.2),
    ("Overall I am proud of what we achieved, and I use the same approach today.", 0.6),
]
FILLERS = {"um", "uh", "like", "you know"}
# Occurrences of filler-looking words that are content, by (sentence, word).
NOT_FILLERS = [(3, "like"), (3, "kind of")]


def words_of(sentence):
    return [w.strip(".,!?").lower() for w in sentence.split()]


def speak(text, path):
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(WPM), "-w", path, text],
                   check=True, stdout=subprocess.DEVNULL)
    with wave.open(path, "rb") as w:
        assert w.getframerate() == RATE and w.getsampwidth() == 2 and w.getnchannels() == 1
        samples = array.array("h", w.readframes(w.getnframes()))
    # Trim espeak's own leading/trailing silence so that pause truth is exact.
    loud = [i for i, s in enumerate(samples) if abs(s) > 300]
    return samples[loud[0]:loud[-1] + 1] if loud else array.array("h")


def synthesize(minutes, sentences_wanted, workdir):
    target = minutes * 60 if minutes else 0
    script = SCRIPT[:sentences_wanted] if sentences_wanted else SCRIPT
    out = array.array("h", [0] * int(0.5 * RATE))  # lead-in silence
    sentences, pauses, fillers, decoys = [], [], [], []
    cache = {}
    rnd = 0
    while True:
        for i, (text, pause) in enumerate(script):
            if i not in cache:
                cache[i] = speak(text, os.path.join(workdir, f"s{i}.wav"))
            start = len(out) / RATE
            out.extend(cache[i])
            end = len(out) / RATE
            sentences.append({"text": text, "start": round(start, 3), "end": round(end, 3),
                              "words": len(text.split())})
            lw = words_of(text)
            for f in FILLERS:
                fw = f.split()
                for k in range(len(lw) - len(fw) + 1):
                    if lw[k:k + len(fw)] == fw and (i, f) not in NOT_FILLERS:
                        fillers.append({"sentence": len(sentences) - 1, "word": f, "index": k})
            for (si, d) in NOT_FILLERS:
                if si == i:
                    decoys.append({"sentence": len(sentences) - 1, "word": d})
            out.extend([0] * int(pause * RATE))
            pauses.append({"start": round(end, 3), "end": round(end + pause, 3), "duration": pause})
            if target and len(out) / RATE >= target:
                break
        rnd += 1
        if not target or len(out) / RATE >= target:
            break
    pauses.pop()  # the silence after the last sentence is trailing, not a pause
    return out, {
        "duration_s": round(len(out) / RATE, 3),
        "speech_rate_wpm_setting": WPM,
        "sentences": sentences,
        "word_count": sum(s["words"] for s in sentences),
        "speaking_time_s": round(sum(s["end"] - s["start"] for s in sentences), 3),
        "pauses": pauses,
        "fillers": fillers,
        "not_fillers": decoys,
    }


def astronaut():
    """scikit-image's astronaut.png (public domain), cached under ~/.cache/candor."""
    cached = os.path.expanduser("~/.cache/candor/astronaut.png")
    if not os.path.exists(cached):
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        # Per process: tests generating fixtures at once each write their
        # own copy, and the last rename wins.
        partial = f"{cached}.{os.getpid()}.partial"
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--only-binary=:all:", "-d", tmp, "scikit-image"], check=True)
            wheel = glob.glob(os.path.join(tmp, "scikit_image-*.whl"))[0]
            with zipfile.ZipFile(wheel) as z, open(partial, "wb") as f:
                f.write(z.read("skimage/data/astronaut.png"))
        os.replace(partial, cached)
    return cached


def video_input(size, fps, face, no_face, truth):
    """ffmpeg arguments for the video track, and the truth they imply."""
    if not face:
        return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}"], []
    width, height = (int(v) for v in size.split("x"))
    image = astronaut() if face == "astronaut" else face
    side = height * 3 // 4 // 2 * 2  # the photo is square; keep sizes even
    x, y = (width - side) // 2, (height - side) // 2
    enable = ""
    truth["face"] = {"image": os.path.basename(image), "box": [x, y, side, side], "absent": []}
    if no_face:
        start, end = (float(v) for v in no_face.split(":"))
        enable = f":enable='not(between(t,{start},{end}))'"
        truth["face"]["absent"].append([start, end])
    graph = f"[1:v]scale={side}:{side}[face];[0:v][face]overlay={x}:{y}{enable}[v]"
    return (["-f", "lavfi", "-i", f"color=c=0x4a5560:size={size}:rate={fps}", "-loop", "1", "-i", image],
            ["-filter_complex", graph, "-map", "[v]", "-map", "2:a"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", help="output media file; the extension picks the container")
    ap.add_argument("--print-script", action="store_true",
                    help="print the script as JSON [[sentence, pause after it], ...] and exit")
    ap.add_argument("--minutes", type=float, default=0, help="repeat the script to at least this length")
    ap.add_argument("--sentences", type=int, default=0, help="use only the first N sentences of the script")
    ap.add_argument("--video", help="add a synthetic video track, WxH@FPS (e.g. 1280x720@30)")
    ap.add_argument("--face", help="show this photo (or `astronaut`) in the video instead of a test pattern")
    ap.add_argument("--no-face", metavar="START:END", help="with --face: no face in this stretch, seconds")
    args = ap.parse_args()
    if args.print_script:
        json.dump(SCRIPT, sys.stdout)
        return
    if not args.out:
        ap.error("the output file is required")

    with tempfile.TemporaryDirectory() as tmp:
        samples, truth = synthesize(args.minutes, args.sentences, tmp)
        wav = os.path.join(tmp, "speech.wav")
        with wave.open(wav, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(samples.tobytes())
        cmd = ["ffmpeg", "-v", "error", "-y"]
        mapping = []
        if args.video:
            size, fps = args.video.split("@")
            inputs, mapping = video_input(size, fps, args.face, args.no_face, truth)
            cmd += inputs
        cmd += ["-i", wav] + mapping
        if args.video:
            vcodec = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"] \
                if args.out.endswith(".webm") else ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p"]
            cmd += vcodec + ["-shortest"]
        cmd += [args.out]
        subprocess.run(cmd, check=True)
    with open(os.path.splitext(args.out)[0] + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
    print(f"{args.out}: {truth['duration_s']:.1f} s, {truth['word_count']} words, "
          f"{len(truth['fillers'])} fillers, {len(truth['pauses'])} pauses", file=sys.stderr)


if __name__ == "__main__":
    main()
