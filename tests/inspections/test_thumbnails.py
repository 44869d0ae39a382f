"""Photo evidence gets a thumbnail (a JPEG at most 320 px, upright by its EXIF orientation),
shown on the record page and the part page through the sealed thumbnail URL; a damaged image
is still accepted and simply has none."""

import io

import pytest
from PIL import Image

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import Evidence
from tests.inspections.helpers import build, code, water_failed_entry

pytestmark = pytest.mark.django_db


def _jpeg(width: int, height: int, orientation: int | None = None) -> bytes:
    img = Image.new("RGB", (width, height), (200, 30, 30))
    img.paste((30, 30, 200), (0, 0, width // 4, height))  # a blue band on the left
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 160, 10, 128)).save(out, "PNG")
    return out.getvalue()


def _upload(w, name: str, data: bytes) -> Evidence:
    return services.add_evidence(w.record, w.users["sw_inspector"], name=name, data=data, department_id=w.water.pk)


def _thumb(ev: Evidence) -> Image.Image:
    ev.refresh_from_db()
    assert ev.thumbnail, "a readable photo has a thumbnail"
    img = Image.open(io.BytesIO(bytes(ev.thumbnail)))
    assert img.format == "JPEG"
    return img


def test_a_jpeg_and_a_png_get_a_small_jpeg_thumbnail(demo):
    w = build(demo)
    jpg = _thumb(_upload(w, "现场照片.jpg", _jpeg(1600, 1200)))
    assert jpg.size == (320, 240)
    png = _thumb(_upload(w, "现场截图.png", _png(500, 1000)))
    assert png.size == (160, 320) and png.mode == "RGB"


def test_the_exif_orientation_is_respected(demo):
    w = build(demo)
    # stored landscape, shot in portrait: orientation 6 = rotate 90° clockwise to show
    img = _thumb(_upload(w, "竖拍.jpg", _jpeg(800, 400, orientation=6)))
    assert img.size == (160, 320)
    top = img.getpixel((80, 5))  # the blue band (left of the stored image) is now on top
    assert top[2] > 150 and top[0] < 100


def test_a_damaged_image_is_accepted_without_a_thumbnail(demo):
    w = build(demo)
    broken = _jpeg(800, 600)[:300]  # cut off: the header is right, the picture is not there
    ev = _upload(w, "损坏.jpg", broken)
    ev.refresh_from_db()
    assert ev.thumbnail is None and ev.size == 300
    fake = _upload(w, "伪.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    fake.refresh_from_db()
    assert fake.thumbnail is None


def test_record_and_part_pages_show_the_thumbnail_through_the_sealed_url(demo, client):
    w = build(demo)
    ev = _upload(w, "现场照片.jpg", _jpeg(1600, 1200))
    refs = [services.evidence_ref(ev)]
    sw = w.users["sw_inspector"]
    from tests.inspections.helpers import visit

    visit(w)
    part = services.save_draft(
        w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w, refs)
    )
    thumb_url = f"/inspections/evidence/{ev.pk}/thumb/"
    client.force_login(sw)
    record_page = client.get(f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/").content.decode()
    assert thumb_url in record_page
    client.force_login(w.users["sw_admin"])
    assert thumb_url in client.get(f"/inspections/parts/{part.pk}/").content.decode()
    r = client.get(thumb_url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(r.content)).size == (320, 240)
    # the other department's inspector reads neither the draft part's photo nor its thumbnail
    client.force_login(w.users["sc_inspector"])
    assert client.get(thumb_url).status_code == 404
