#!/usr/bin/python3
"""Writes a gzip'd newc cpio archive of a directory tree (no cpio binary needed).

usage: mkinitramfs.py ROOT DEST.gz
"""

import gzip
import os
import stat
import sys


def entry(name, st, ino, data=b""):
    hdr = "070701" + "".join("%08x" % v for v in (
        ino, st.st_mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0))
    out = hdr.encode() + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def main(root, dest):
    chunks, ino = [], 1
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs) + sorted(files):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(p).encode()
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    data = f.read()
            else:
                data = b""
            ino += 1
            chunks.append(entry(os.path.relpath(p, root), st, ino, data))

    class Trailer:
        st_mode = 0
    chunks.append(entry("TRAILER!!!", Trailer(), 0))
    with gzip.open(dest, "wb", compresslevel=6) as f:
        f.write(b"".join(chunks))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
