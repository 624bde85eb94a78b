//! Fuzzes reading envelopes and statements: any bytes must parse or fail, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = vouch_proto::Envelope::from_json(data) {
        let _ = vouch_proto::Statement::from_payload(&envelope.payload);
    }
    let _ = vouch_proto::Statement::from_payload(data);
});
