#!/usr/bin/env python3
"""Verify DSSE envelopes with securesystemslib, an independent implementation of DSSE.

usage: sslib_verify.py PUBLIC_KEY.pem KEYID ENVELOPE...

An ENVELOPE ending in .jsonl holds one envelope per line (each reported as FILE:LINE).

securesystemslib only tries keys whose keyid equals the signature's keyid, so the key is loaded
under the id Vouch gives it (sha256 of the DER SubjectPublicKeyInfo). Prints one line per
envelope, "ok FILE" or "fail FILE: reason"; exits 0 when all verify, 1 when any fails, 2 on bad
usage. With --time, prints the envelopes per second of the verification loop on stderr.
"""
import json
import sys
import time

from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey


def load_key(pem_path, keyid):
    with open(pem_path, "rb") as f:
        public_key = serialization.load_pem_public_key(f.read())
    return SSlibKey.from_crypto(public_key, keyid=keyid)


def documents(paths):
    """(name, reader) for every envelope: a file, or each line of a .jsonl file."""
    for path in paths:
        if path.endswith(".jsonl"):
            with open(path, "rb") as f:
                for n, line in enumerate(f, start=1):
                    if line.strip():
                        yield f"{path}:{n}", (lambda line=line: line)
        else:
            def read(path=path):
                with open(path, "rb") as f:
                    return f.read()
            yield path, read


def main(argv):
    timed = "--time" in argv
    argv = [a for a in argv if a != "--time"]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    key = load_key(argv[0], argv[1])
    failures = 0
    lines = []
    start = time.perf_counter()
    count = 0
    for name, document in documents(argv[2:]):
        count += 1
        try:
            envelope = Envelope.from_dict(json.loads(document()))
            envelope.verify([key], 1)
            lines.append(f"ok {name}")
        except Exception as err:  # any failure of this envelope is reported, not raised
            failures += 1
            lines.append(f"fail {name}: {type(err).__name__}: {err}")
    elapsed = time.perf_counter() - start
    print("\n".join(lines))
    if timed:
        print(f"securesystemslib verified {count} envelopes in {elapsed:.3f} s "
              f"({count / elapsed:.0f}/s)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
