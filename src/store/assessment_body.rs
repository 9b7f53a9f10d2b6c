//! The stored form of an assessment body: its JSON, compressed with zstd against a frozen
//! dictionary of typical bodies (`data/assessment_body_dict_v1.txt`). A body of 4.8 KB is
//! stored in about 600 bytes: at 100,000 suppliers an upload writes 58 MB of assessments
//! instead of 480 MB. The first byte names the dictionary; a dictionary is never changed, a new
//! one gets a new byte.

use crate::domain::Assessment;
use crate::error::{Error, Result};
use std::sync::LazyLock;
use zstd::dict::{DecoderDictionary, EncoderDictionary};

const DICT_V1: &[u8] = include_bytes!("../../data/assessment_body_dict_v1.txt");
/// zstd's fast level -3. An upload of 100,000 suppliers compresses on its scoring threads, which
/// the whole upload waits for: with the dictionary, a body of about 4.8 KB is stored in about
/// 600 bytes; level -1 stores 560 bytes in 17 % more time (zstd's timing of 5,000 stored bodies;
/// the whole upload 2-3 % slower). The level is the writer's choice: any level reads back.
const LEVEL: i32 = -3;
/// Largest body read back (a body is a few KB; the cap keeps a damaged row from allocating).
const MAX_BODY: usize = 16 << 20;

static ENCODER: LazyLock<EncoderDictionary<'static>> = LazyLock::new(|| EncoderDictionary::copy(DICT_V1, LEVEL));
static DECODER: LazyLock<DecoderDictionary<'static>> = LazyLock::new(|| DecoderDictionary::copy(DICT_V1));

/// Compresses bodies; one per thread that writes many (it keeps its zstd context).
pub struct BodyWriter {
    zstd: zstd::bulk::Compressor<'static>,
    json: Vec<u8>,
}

impl BodyWriter {
    pub fn new() -> Result<BodyWriter> {
        let mut zstd = zstd::bulk::Compressor::with_prepared_dictionary(&ENCODER).map_err(Error::internal)?;
        // A checksum (4 bytes): a damaged body is refused, never read as other text.
        zstd.include_checksum(true).map_err(Error::internal)?;
        Ok(BodyWriter { zstd, json: Vec::with_capacity(8192) })
    }

    /// The stored form of `a`: version byte 1, then a zstd frame of its JSON.
    pub fn encode(&mut self, a: &Assessment) -> Result<Vec<u8>> {
        self.json.clear();
        crate::json::to_writer(&mut self.json, a)?;
        let mut out = Vec::with_capacity(self.json.len() / 8 + 64);
        out.push(1);
        out.extend(self.zstd.compress(&self.json).map_err(Error::internal)?);
        Ok(out)
    }
}

/// Reads a stored body back. A damaged one is an error, never a panic or a large allocation.
pub fn decode(stored: &[u8]) -> Result<Assessment> {
    let json = decompress(stored)?;
    serde_json::from_slice(&json).map_err(|e| Error::internal(format!("stored assessment body: {e}")))
}

fn decompress(stored: &[u8]) -> Result<Vec<u8>> {
    let bad = |why: &str| Error::internal(format!("stored assessment body: {why}"));
    let (version, frame) = stored.split_first().ok_or_else(|| bad("empty"))?;
    if *version != 1 {
        return Err(bad(&format!("unknown dictionary version {version}")));
    }
    let size = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(n)) if n <= MAX_BODY as u64 => n as usize,
        Ok(Some(n)) => return Err(bad(&format!("{n} bytes, over the cap"))),
        _ => return Err(bad("not a zstd frame with its size")),
    };
    let mut z = zstd::bulk::Decompressor::with_prepared_dictionary(&DECODER).map_err(Error::internal)?;
    z.decompress(frame, size).map_err(|e| bad(&e.to_string()))
}

/// A real body for tests: the first of the dictionary's own samples, read as an assessment.
#[cfg(test)]
pub(crate) fn tests_sample() -> Assessment {
    let first = DICT_V1.split(|b| *b == b'\n').next().unwrap();
    serde_json::from_slice(first).expect("the dictionary holds assessment bodies")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Assessment {
        tests_sample()
    }

    #[test]
    fn a_body_comes_back_as_it_was_written_and_small() {
        let a = sample();
        let json = serde_json::to_vec(&a).unwrap();
        let stored = BodyWriter::new().unwrap().encode(&a).unwrap();
        assert_eq!(stored[0], 1);
        assert!(stored.len() * 4 < json.len(), "{} bytes stored for {} of JSON", stored.len(), json.len());
        assert_eq!(serde_json::to_vec(&decode(&stored).unwrap()).unwrap(), json);
    }

    #[test]
    fn a_damaged_body_is_an_error() {
        let stored = BodyWriter::new().unwrap().encode(&sample()).unwrap();
        for bad in [&[][..], &[2u8, 0, 0][..], &stored[..1], &stored[..stored.len() / 2]] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
        let mut flipped = stored.clone();
        let n = flipped.len();
        flipped[n - 5] ^= 0xff;
        assert!(decode(&flipped).is_err());
        // A frame that would decompress past the cap is refused before anything is allocated.
        let mut huge = vec![1u8];
        huge.extend(zstd::bulk::compress(&vec![b' '; MAX_BODY + 1], 1).unwrap());
        assert!(huge.len() < 4096);
        match decode(&huge) {
            Err(Error::Internal(e)) => assert!(e.contains("over the cap"), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}
