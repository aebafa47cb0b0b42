"""What stored rich text may carry: formatting survives, colours and scripts do not."""

from __future__ import annotations

from desktopdesk.domain.html import sanitize_html


def test_bold_italic_and_underline_survive() -> None:
    html = ('<p><span style="font-weight:600">bold</span> <span style="font-style:italic">'
            'it</span> <span style="text-decoration: underline">u</span></p>')
    clean = sanitize_html(html)
    assert "font-weight:600" in clean.replace(" ", "")
    assert "font-style:italic" in clean.replace(" ", "")
    assert "text-decoration:underline" in clean.replace(" ", "")


def test_colours_are_dropped_so_text_reads_in_light_and_dark() -> None:
    # What Qt writes for a link made on a dark screen, and an unlinked word after it.
    html = ('<p><a href="https://example.org"><span style="text-decoration: underline; '
            'color:#8ab4f8;">docs</span></a> <span style="color:#e8eaed; '
            'background-color:#202124">plain</span></p>')
    clean = sanitize_html(html)
    assert "color" not in clean
    assert "text-decoration" in clean
    assert 'href="https://example.org"' in clean
