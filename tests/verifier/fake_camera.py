"""Chromium's fake capture device playing a still picture: a Y4M video of it, and a browser that
films it (the camera path of the page, from getUserMedia to the decoder, runs for real)."""

from __future__ import annotations

from PIL import Image

from tests.live_server import CHROMIUM, CHROMIUM_ARGS


def write_y4m(path, frame: Image.Image, count: int = 15) -> None:
    """An uncompressed YUV 4:2:0 video of `count` copies of `frame` (Chromium loops it)."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    planes = y.tobytes() + cb.resize(half, Image.BOX).tobytes() + cr.resize(half, Image.BOX).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{frame.width} H{frame.height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(count):
            video.write(b"FRAME\n" + planes)


def camera_browser(playwright, video):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])


def camera_context(browser):
    return browser.new_context(timezone_id="Europe/Berlin", locale="de-DE", service_workers="allow",
                               permissions=["camera"])
