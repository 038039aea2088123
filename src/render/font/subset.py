#!/usr/bin/env python3
"""Make the chart font: the Simplified-Chinese face of Noto Sans CJK
(SIL Open Font License 1.1, see OFL.txt), subset to the characters of GBK
plus ASCII, so that every unit or indicator name an office can write in
GBK renders, and the binary stays small.

Source: Debian's fonts-noto-cjk, NotoSansCJK-Regular.ttc. The collection's
first face is the Japanese one (直骨令角 in Japanese forms); face 2 is
"Noto Sans CJK SC". Usage:

    pip install fonttools
    python3 subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""
import sys
from fontTools.ttLib import TTCollection
from fontTools import subset

src = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else "NotoSansSC-GBK.otf"
face = TTCollection(src).fonts[2]
assert face["name"].getDebugName(1) == "Noto Sans CJK SC", "face 2 is not SC"

codes = set(range(0x20, 0x7F))
for hi in range(0x81, 0xFF):
    for lo in range(0x40, 0xFF):
        if lo == 0x7F:
            continue
        try:
            ch = bytes([hi, lo]).decode("gbk")
        except UnicodeDecodeError:
            continue
        codes.update(ord(c) for c in ch)
codes.update([0x00B7, 0x00D7, 0x2014, 0x2026, 0x201C, 0x201D, 0x2018, 0x2019, 0x2103, 0x2212, 0x2265, 0x2264])

opts = subset.Options()
opts.layout_features = []
opts.hinting = False
opts.notdef_outline = True
opts.name_IDs = ["*"]
opts.name_languages = ["*"]
s = subset.Subsetter(opts)
s.populate(unicodes=sorted(codes))
s.subset(face)
face.save(out)
print(out, len(codes), "code points")
