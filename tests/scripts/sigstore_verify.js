// Verifies one Sigstore bundle offline with npm @sigstore/verify and one public key: no
// transparency log, certificate log or timestamp required (the thresholds set to 0), an empty
// trusted root, the key found by the bundle's hint.
// usage: node sigstore_verify.js PUBLIC.pem BUNDLE.json   -> exit 0 verified, 1 refused
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const [pem, bundlePath] = process.argv.slice(2);
const key = crypto.createPublicKey(fs.readFileSync(pem));
const root = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [],
});
const trust = toTrustMaterial(root, () => ({ publicKey: key, validFor: () => true }));
const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  verifier.verify(toSignedEntity(bundle));
  console.log('verified');
} catch (e) {
  console.log('refused: ' + e.message);
  process.exit(1);
}
