"""Paper as cameras and scanners see it: the wear applied to printed codes and letters, shared by
the browser tests (tests/verifier/test_scanning.py) and the benchmarks (bench/robustness.py,
bench/scan.py), so a figure in docs/BENCHMARKS.md and a test assert the same images.

Every function takes and returns a PIL image ("L" or "RGB"); randomness comes from the `rng`
passed in, so a seed gives the same picture every time. Sizes are physical (mm at the image's
dpi), so "blur" means the same at 100 dpi as at 300 dpi.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFilter

MM_PER_INCH = 25.4
A4_MM = (210.0, 297.0)
FOLD_MM = 210.0  # DIN 5008 form B: the lower fold mark, which crosses the ticket's QR code
TICKET_TOP_MM = 148.5  # the ticket is in the lower half of the page (letters/render.py)
PHOTO_SIZE = (2448, 3264)  # an 8-megapixel phone photo, held upright
FRAME_SIZE = (1280, 720)  # a camera frame as the verifier page asks for it


def px(mm: float, dpi: float) -> float:
    return mm * dpi / MM_PER_INCH


def render_pdf(pdf: bytes, dpi: int) -> Image.Image:
    """The first page of a PDF as a scanner at `dpi` would deliver it (RGB)."""
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def _white(image: Image.Image) -> int | tuple[int, int, int]:
    return 255 if image.mode == "L" else (255, 255, 255)


def downscale(image: Image.Image, factor: float) -> Image.Image:
    """A coarser scan: a scanner integrates light over each pixel (box filter)."""
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.BOX)


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, resample=Image.BILINEAR, expand=True, fillcolor=_white(image))


def blur(image: Image.Image, dpi: float, mm: float = 0.2) -> Image.Image:
    """Out of focus: a Gaussian of `mm` radius on paper (a QR module on the letter is ~0.75 mm)."""
    return image.filter(ImageFilter.GaussianBlur(px(mm, dpi)))


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(saved(image, quality))).convert(image.mode)


def fold(image: Image.Image, rng: random.Random, dpi: float, at_mm: float | None = None) -> Image.Image:
    """A crease: a grey line 0.5 mm wide, horizontal at `at_mm` from the top (a letter's fold),
    or at a random place 30-70 % across in either direction, slightly slanted."""
    image = image.copy()
    draw = ImageDraw.Draw(image)
    grey = 170 if image.mode == "L" else (170, 170, 170)
    width = max(2, round(px(0.5, dpi)))
    slant = rng.uniform(-10, 10) * dpi / 300
    if at_mm is not None:
        y = px(at_mm, dpi)
        draw.line([(0, y), (image.width, y + slant)], fill=grey, width=width)
    elif rng.random() < 0.5:
        x = rng.uniform(0.3, 0.7) * image.width
        draw.line([(x, 0), (x + slant, image.height)], fill=grey, width=width)
    else:
        y = rng.uniform(0.3, 0.7) * image.height
        draw.line([(0, y), (image.width, y + slant)], fill=grey, width=width)
    return image


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8 unknowns; no numpy needed)."""
    n = len(b)
    rows = [row[:] + [value] for row, value in zip(a, b)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                f = rows[r][col] / rows[col][col]
                rows[r] = [x - f * y for x, y in zip(rows[r], rows[col])]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def _warp(image: Image.Image, corners: list[tuple[float, float]], size: tuple[int, int],
          fill) -> Image.Image:
    """`image` drawn with its corners (top left, top right, bottom right, bottom left) at `corners`
    of a new image of `size`: a true perspective projection, as a camera at an angle sees paper."""
    w, h = image.size
    source = [(0, 0), (w, 0), (w, h), (0, h)]
    a, b = [], []
    for (x, y), (u, v) in zip(corners, source):  # PIL maps output (x, y) back to input (u, v)
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    return image.transform(size, Image.PERSPECTIVE, _solve(a, b), Image.BILINEAR, fillcolor=fill)


def perspective(image: Image.Image, rng: random.Random, strength: float = 0.08,
                degrees: float = 0.0) -> Image.Image:
    """The paper seen at an angle: each corner pulled inwards by up to `strength` of the size, and
    the whole turned by `degrees`, in one projection (a camera resamples once, not per effect)."""
    w, h = image.size
    d = lambda side: rng.uniform(0, strength) * side  # noqa: E731
    corners = [(d(w), d(h)), (w - d(w), d(h)), (w - d(w), h - d(h)), (d(w), h - d(h))]
    turn = complex(math.cos(math.radians(-degrees)), math.sin(math.radians(-degrees)))
    turned = [complex(x - w / 2, y - h / 2) * turn for x, y in corners]
    left, top = min(c.real for c in turned), min(c.imag for c in turned)
    size = (math.ceil(max(c.real for c in turned) - left), math.ceil(max(c.imag for c in turned) - top))
    return _warp(image, [(c.real - left, c.imag - top) for c in turned], size, _white(image))


def shadow(image: Image.Image, rng: random.Random, dpi: float, darkness: float = 0.5) -> Image.Image:
    """A hand's or phone's shadow: one side of a random line through the middle third darkened to
    `darkness`, with a soft edge (5 mm)."""
    w, h = image.size
    small = 8  # the mask is smooth: draw and soften it at 1/8 of the size, then enlarge it
    mask = Image.new("L", (w // small, h // small), 0)
    cx, cy = rng.uniform(w / 3, 2 * w / 3) / small, rng.uniform(h / 3, 2 * h / 3) / small
    far = 2 * (w + h) / small
    dx, dy = rng.choice([(far, rng.uniform(-far, far)), (rng.uniform(-far, far), far)])
    ImageDraw.Draw(mask).polygon([(cx - dx, cy - dy), (cx + dx, cy + dy), (cx + dx + dy, cy + dy - dx),
                                  (cx - dx + dy, cy - dy - dx)], fill=round(255 * (1 - darkness)))
    mask = mask.filter(ImageFilter.GaussianBlur(px(5, dpi) / small)).resize((w, h), Image.BILINEAR)
    dark = Image.new(image.mode, image.size, 0)
    return Image.composite(dark, image, mask)


def upside_down(image: Image.Image) -> Image.Image:
    return image.rotate(180)


def ticket_half(image: Image.Image, dpi: float) -> Image.Image:
    """Only the lower half of the page, where the ticket is (a photo of the cut-out ticket)."""
    return image.crop((0, round(px(TICKET_TOP_MM, dpi)), image.width, image.height))


def all_wear(image: Image.Image, dpi: int, rng: random.Random) -> Image.Image:
    """Everything at once, in the order it happens: creased paper, a shadow on it, seen at an
    angle and turned, maybe upside down, out of focus (the JPEG comes last, in `worn`)."""
    image = shadow(fold(image, rng, dpi, FOLD_MM), rng, dpi)
    image = perspective(image, rng, 0.05, degrees=rng.choice([-1, 1]) * rng.uniform(5, 20))
    if rng.random() < 0.5:
        image = upside_down(image)
    return blur(image, dpi, 0.1)


@dataclass(frozen=True)
class Wear:
    paper: Callable[[Image.Image, int, random.Random], Image.Image]  # at _paper_dpi(dpi)
    jpeg_quality: int | None = None  # saved as a JPEG of this quality at the final resolution


# One entry per kind of wear of a letter page.
WEAR: dict[str, Wear] = {
    "clean": Wear(lambda im, dpi, rng: im),
    "rotated 5-20°": Wear(lambda im, dpi, rng: rotate(im, rng.choice([-1, 1]) * rng.uniform(5, 20))),
    "blur": Wear(lambda im, dpi, rng: blur(im, dpi)),
    "JPEG quality 30": Wear(lambda im, dpi, rng: im, 30),
    "perspective": Wear(lambda im, dpi, rng: perspective(im, rng)),
    "shadow": Wear(lambda im, dpi, rng: shadow(im, rng, dpi)),
    "fold line": Wear(lambda im, dpi, rng: fold(im, rng, dpi, FOLD_MM)),
    "upside down": Wear(lambda im, dpi, rng: upside_down(im)),
    "ticket half": Wear(lambda im, dpi, rng: ticket_half(im, dpi)),
    "all of these": Wear(all_wear, 30),
}


def _paper_dpi(dpi: int) -> int:
    """A camera or scanner integrates light over each pixel: the paper is worn at twice the final
    resolution (up to 300 dpi, where a module is 8 px wide and resampling it does no harm) and
    box-filtered down, rather than resampling a coarse raster, which no camera does."""
    return max(dpi, min(2 * dpi, 300))


def saved(image: Image.Image, jpeg_quality: int | None = None) -> bytes:
    """The file a scanner or phone would hand over: a JPEG of that quality, else a PNG."""
    buffer = io.BytesIO()
    if jpeg_quality:
        image.save(buffer, format="JPEG", quality=jpeg_quality)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def worn(pdf: bytes, kind: str, dpi: int, seed: int) -> bytes:
    """The letter in `pdf` printed, worn as WEAR[kind] says and captured at `dpi`, as a file."""
    wear, paper = WEAR[kind], _paper_dpi(dpi)
    image = wear.paper(render_pdf(pdf, paper), paper, random.Random(seed))
    return saved(downscale(image, dpi / paper), wear.jpeg_quality)


def photo(pdf: bytes, seed: int) -> bytes:
    """An 8-megapixel phone photo of the whole letter lying on a desk: perspective, warm light
    falling off towards one side, camera blur and sensor noise, saved as a JPEG."""
    rng = random.Random(seed)
    page = render_pdf(pdf, 300)
    W, H = PHOTO_SIZE
    desk = Image.new("RGB", PHOTO_SIZE, (96, 74, 56))
    scale = 0.88 * H / page.height
    pw, ph = page.width * scale, page.height * scale
    left, top = (W - pw) / 2, (H - ph) / 2
    j = lambda: rng.uniform(-0.04, 0.04) * pw  # noqa: E731
    tilt = rng.uniform(0.02, 0.06) * pw  # the far edge looks narrower
    corners = [(left + tilt + j(), top + j()), (left + pw - tilt + j(), top + j()),
               (left + pw + j(), top + ph + j()), (left + j(), top + ph + j())]
    paper = ImageChops.multiply(page, Image.new("RGB", page.size, (246, 240, 228)))
    mask = _warp(Image.new("L", page.size, 255), corners, PHOTO_SIZE, 0)
    shot = Image.composite(_warp(paper, corners, PHOTO_SIZE, (0, 0, 0)), desk, mask)
    side = math.ceil(math.hypot(W, H))  # turned, the gradient still covers the whole photo
    light = Image.linear_gradient("L").resize((side, side)).rotate(rng.uniform(0, 360))
    light = light.crop(((side - W) // 2, (side - H) // 2, (side - W) // 2 + W, (side - H) // 2 + H))
    light = light.point(lambda v: 255 - round(v * 0.35))  # up to 35 % darker towards one side
    shot = ImageChops.multiply(shot, Image.merge("RGB", [light] * 3))
    shot = shot.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise(PHOTO_SIZE, 10)  # Gaussian around 128
    shot = ImageChops.add(shot, Image.merge("RGB", [noise] * 3), scale=1.0, offset=-128)
    return saved(shot, 85)


def camera_frame(photo_file: bytes, top: float) -> Image.Image:
    """What a 1280×720 camera sees of a photo (from `photo`): a 16:9 band across the whole width,
    starting `top` of the way down; 0.72 frames the ticket, 0.2 the letter's text."""
    image = Image.open(io.BytesIO(photo_file)).convert("RGB")
    height = round(image.width * FRAME_SIZE[1] / FRAME_SIZE[0])
    y = round(top * (image.height - height))
    return image.crop((0, y, image.width, y + height)).resize(FRAME_SIZE, Image.BOX)
