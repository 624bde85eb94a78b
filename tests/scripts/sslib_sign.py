#!/usr/bin/env python3
"""Make keys and DSSE envelopes with securesystemslib, an independent implementation of DSSE.

usage:
  sslib_sign.py keygen OUT_PRIVATE.pem OUT_PUBLIC.pem
      a fresh ed25519 key: unencrypted PKCS#8 (a test fixture only) and SubjectPublicKeyInfo PEM
  sslib_sign.py sign PRIVATE.pem PAYLOAD_FILE PAYLOAD_TYPE OUT_ENVELOPE
      signs the payload; prints securesystemslib's key id, which is its own, not Vouch's:
      DSSE key ids are only hints
"""
import json
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner


def keygen(out_private, out_public):
    key = Ed25519PrivateKey.generate()
    with open(out_private, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(out_public, "wb") as f:
        f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo))


def sign(private_path, payload_path, payload_type, out_envelope):
    with open(private_path, "rb") as f:
        signer = CryptoSigner(serialization.load_pem_private_key(f.read(), password=None))
    with open(payload_path, "rb") as f:
        envelope = Envelope(f.read(), payload_type, {})
    envelope.sign(signer)
    with open(out_envelope, "w") as f:
        json.dump(envelope.to_dict(), f)
    print(signer.public_key.keyid)


def main(argv):
    if len(argv) == 3 and argv[0] == "keygen":
        keygen(*argv[1:])
    elif len(argv) == 5 and argv[0] == "sign":
        sign(*argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
