"""Bandwidth hints in the SDP the kiosk hands to the advisor's browser.

Why: Chromium sending VP8 to aiortc starts a call well below the resolution it captures
(measured here: a 1280×720 camera went out as 640×360 for 15 s, then 960×540; getStats said
qualityLimitationReason "bandwidth" the whole time). Chromium picks the resolution from its
bandwidth estimate, and with aiortc that estimate is aiortc's REMB and nothing else:

- aiortc negotiates goog-remb but not transport-cc, so Chromium has no send-side delay estimate
  and cannot probe; its `availableOutgoingBitrate` equalled the REMB value to the kbps.
- Chromium begins at its default start bitrate, 300 kbps.
- aiortc's receive-side estimator (aiortc/rate.py, AimdRateControl) stays silent for 3 s, then
  starts at the *measured incoming* rate and raises it by 8 % a second, clamped to 1.5 × the
  incoming rate. It only ever follows what the browser already sends, so from 300 kbps it needs
  some 20–30 s to reach what Chromium's VP8 wants for 720p, even on loopback. Chromium's
  resolution-per-bitrate limits for VP8 scale the picture down meanwhile (its H.264 path lacks
  those limits, which is why H.264 "did not fall").

The fix is to tell Chromium where to start: `x-google-start-bitrate` on each video codec of the
SDP we send. Chromium reads the x-google-*-bitrate parameters of the *remote* description for
its send codec. With a start bitrate that fits the resolution, the encoder starts at full size,
aiortc's estimator then starts from that incoming rate and keeps growing, and real congestion is
still answered: loss reports and REMB can still lower the rate. We do not set a minimum bitrate
(that would override congestion control on a bad library network) nor force a codec.

aiortc cannot carry these parameters itself (setCodecPreferences accepts only its own
capabilities), so they are added to the SDP text; aiortc ignores them on its side.
"""

from __future__ import annotations

import re

#: kbps to start at: enough for Chromium's VP8 to send 1280×720 from the first frame.
DEFAULT_START_KBPS = 2000

_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([\w-]+)/", re.MULTILINE)


def with_bandwidth_hints(sdp: str, start_kbps: int = DEFAULT_START_KBPS) -> str:
    """`sdp` with `x-google-start-bitrate` on every video codec except rtx."""
    lines = sdp.splitlines()
    out: list[str] = []
    in_video = False
    video_pts: set[str] = set()
    fmtp_seen: set[str] = set()
    section_start = 0

    def flush() -> None:
        # Codecs with no fmtp line yet (VP8 in aiortc's SDP) get one after their rtpmap.
        for pt in sorted(video_pts - fmtp_seen):
            index = next(
                i for i in range(section_start, len(out)) if out[i].startswith(f"a=rtpmap:{pt} ")
            )
            out.insert(index + 1, f"a=fmtp:{pt} x-google-start-bitrate={start_kbps}")
        video_pts.clear()
        fmtp_seen.clear()

    for line in lines:
        if line.startswith("m="):
            if in_video:
                flush()
            in_video = line.startswith("m=video")
            section_start = len(out)
        elif in_video:
            match = _RTPMAP.match(line)
            if match and match.group(2).lower() != "rtx":
                video_pts.add(match.group(1))
            fmtp = re.match(r"^a=fmtp:(\d+) (.*)$", line)
            if fmtp and fmtp.group(1) in video_pts:
                fmtp_seen.add(fmtp.group(1))
                line = f"{line};x-google-start-bitrate={start_kbps}"
        out.append(line)
    if in_video:
        flush()
    return "\r\n".join(out) + "\r\n"
