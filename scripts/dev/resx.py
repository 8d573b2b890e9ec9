#!/usr/bin/env python3
"""Writes a pair of .resx files (English neutral + Japanese satellite) from a TSV of key, en, ja.

Usage: scripts/dev/resx.py TEXTS.tsv OUT_DIR BASENAME
The TSV is the editable source; the .resx files are generated from it and committed.
Lines starting with '#' are comments. Use \\n for a newline inside a text.
"""
import sys, xml.sax.saxutils as x

def load(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) != 3:
                sys.exit(f"{path}:{n}: expected 3 tab-separated columns (key, en, ja), got {len(parts)}")
            rows.append([p.replace('\\n', '\n') for p in parts])
    keys = [r[0] for r in rows]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        sys.exit(f"{path}: duplicate keys: {sorted(dup)}")
    return rows

HEAD = '''<?xml version="1.0" encoding="utf-8"?>
<root>
  <resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>
  <resheader name="version"><value>2.0</value></resheader>
  <resheader name="reader"><value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
  <resheader name="writer"><value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
'''

def write(path, rows, col):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(HEAD)
        for r in rows:
            f.write(f'  <data name="{x.escape(r[0])}" xml:space="preserve"><value>{x.escape(r[col])}</value></data>\n')
        f.write('</root>\n')

rows = load(sys.argv[1])
out, base = sys.argv[2], sys.argv[3]
write(f"{out}/{base}.resx", rows, 1)
write(f"{out}/{base}.ja.resx", rows, 2)
print(f"{len(rows)} texts → {out}/{base}.resx, {base}.ja.resx")
