//! Rewrites a CTranslate2 `model.bin` with its weight matrices in int8, as
//! CTranslate2 itself quantizes them when it loads a float16 model for
//! `compute_type = int8`: per row, scale = 127 / max |w|, w8 = round(w ·
//! scale), the scale saved as `<name>_scale`. Done once at install, it
//! spares every process the float16 copy CTranslate2 holds while it
//! converts (about 100 MB more peak memory for base) and the conversion
//! time. The format is CTranslate2's (python/ctranslate2/specs/
//! model_spec.py, `_serialize`): a header, then for each variable its name,
//! shape, type and bytes, then aliases.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// CTranslate2's `DataType` ids.
const FLOAT32: u8 = 0;
const INT8: u8 = 1;
const FLOAT16: u8 = 4;

/// Quantizes `model` in place (through a file beside it). Returns how many
/// matrices were converted; a model with none (already int8, or float32
/// weights Candor leaves alone) is left as it was.
pub fn weights_to_int8(model: &Path) -> Result<usize, String> {
    let converted = model.with_extension("bin.int8");
    let count = rewrite(model, &converted).map_err(|e| format!("{}: {e}", model.display()))?;
    if count == 0 {
        let _ = std::fs::remove_file(&converted);
        return Ok(0);
    }
    std::fs::rename(&converted, model).map_err(|e| e.to_string())?;
    Ok(count)
}

fn rewrite(from: &Path, to: &Path) -> std::io::Result<usize> {
    let mut input = BufReader::new(File::open(from)?);
    let mut output = BufWriter::new(File::create(to)?);
    let version = read_u32(&mut input)?;
    if version < 4 {
        return Err(invalid(format!(
            "binary version {version} predates typed variables"
        )));
    }
    write_u32(&mut output, version)?;
    let spec = read_string(&mut input)?;
    write_string(&mut output, &spec)?;
    let revision = read_u32(&mut input)?;
    write_u32(&mut output, revision)?;

    let variables = read_u32(&mut input)?;
    let mut scales = Vec::new();
    let mut kept = Vec::new();
    for _ in 0..variables {
        let name = read_string(&mut input)?;
        let rank = read_u8(&mut input)?;
        let shape = (0..rank)
            .map(|_| read_u32(&mut input))
            .collect::<std::io::Result<Vec<_>>>()?;
        let dtype = read_u8(&mut input)?;
        let bytes = read_u32(&mut input)? as usize;
        let mut data = vec![0u8; bytes];
        input.read_exact(&mut data)?;
        // Matrices only: CTranslate2 keeps Whisper's 3-D convolution weights
        // in float on CPU, so quantizing them would only lose precision.
        if name.ends_with("weight") && shape.len() == 2 && dtype == FLOAT16 {
            let (int8, scale) = quantize_rows(&data, shape[0] as usize, shape[1] as usize)?;
            scales.push((format!("{name}_scale"), scale));
            kept.push((name, shape, INT8, int8));
        } else {
            kept.push((name, shape, dtype, data));
        }
    }
    if scales.is_empty() {
        return Ok(0);
    }
    write_u32(&mut output, (kept.len() + scales.len()) as u32)?;
    for (name, shape, dtype, data) in &kept {
        write_variable(&mut output, name, shape, *dtype, data)?;
    }
    for (name, scale) in &scales {
        let data: Vec<u8> = scale.iter().flat_map(|s| s.to_le_bytes()).collect();
        write_variable(&mut output, name, &[scale.len() as u32], FLOAT32, &data)?;
    }
    // The aliases, unchanged.
    std::io::copy(&mut input, &mut output)?;
    output.flush()?;
    Ok(scales.len())
}

/// Row-wise int8 quantization of a float16 matrix, as CTranslate2 does it.
fn quantize_rows(data: &[u8], rows: usize, columns: usize) -> std::io::Result<(Vec<u8>, Vec<f32>)> {
    if data.len() != rows * columns * 2 {
        return Err(invalid("a weight's size does not match its shape".into()));
    }
    let mut int8 = Vec::with_capacity(rows * columns);
    let mut scales = Vec::with_capacity(rows);
    let mut row = vec![0f32; columns];
    for r in 0..rows {
        for (c, value) in row.iter_mut().enumerate() {
            let at = 2 * (r * columns + c);
            *value = f16_to_f32(u16::from_le_bytes([data[at], data[at + 1]]));
        }
        let amax = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        let amax = if amax == 0.0 {
            127.0
        } else {
            amax.max(127.0 / f32::MAX)
        };
        let scale = 127.0 / amax;
        int8.extend(
            row.iter()
                .map(|v| ((v * scale).round_ties_even().clamp(-127.0, 127.0) as i8) as u8),
        );
        scales.push(scale);
    }
    Ok((int8, scales))
}

/// IEEE 754 half to single precision.
fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits >> 15) << 31;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x3ff);
    let value = match (exponent, mantissa) {
        (0, 0) => sign,
        // Subnormal: renormalise.
        (0, m) => {
            let shift = m.leading_zeros() - 21;
            sign | ((113 - shift) << 23) | (((m << shift) & 0x3ff) << 13)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(value)
}

fn write_variable(
    out: &mut impl Write,
    name: &str,
    shape: &[u32],
    dtype: u8,
    data: &[u8],
) -> std::io::Result<()> {
    write_string(out, name)?;
    out.write_all(&[shape.len() as u8])?;
    for dim in shape {
        write_u32(out, *dim)?;
    }
    out.write_all(&[dtype])?;
    write_u32(out, data.len() as u32)?;
    out.write_all(data)
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

fn read_u8(input: &mut impl Read) -> std::io::Result<u8> {
    let mut b = [0u8; 1];
    input.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u32(input: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    input.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn write_u32(out: &mut impl Write, value: u32) -> std::io::Result<()> {
    out.write_all(&value.to_le_bytes())
}

/// A length (u16, the terminating NUL included) and the bytes.
fn read_string(input: &mut impl Read) -> std::io::Result<String> {
    let mut b = [0u8; 2];
    input.read_exact(&mut b)?;
    let length = u16::from_le_bytes(b) as usize;
    if length == 0 {
        return Err(invalid("an empty string".into()));
    }
    let mut bytes = vec![0u8; length];
    input.read_exact(&mut bytes)?;
    bytes.pop();
    String::from_utf8(bytes).map_err(|e| invalid(e.to_string()))
}

fn write_string(out: &mut impl Write, value: &str) -> std::io::Result<()> {
    out.write_all(&((value.len() + 1) as u16).to_le_bytes())?;
    out.write_all(value.as_bytes())?;
    out.write_all(&[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f16(value: f32) -> [u8; 2] {
        // Exact for the values used below (small integers and halves).
        let bits = value.to_bits();
        let sign = ((bits >> 16) & 0x8000) as u16;
        let exponent = ((bits >> 23) & 0xff) as i32 - 127 + 15;
        let mantissa = ((bits >> 13) & 0x3ff) as u16;
        let half = if value == 0.0 {
            sign
        } else {
            sign | ((exponent as u16) << 10) | mantissa
        };
        half.to_le_bytes()
    }

    #[test]
    fn halves_convert_exactly() {
        for (bits, value) in [
            (0x0000, 0.0f32),
            (0x3c00, 1.0),
            (0xc100, -2.5),
            (0x3800, 0.5),
            (0x6400, 1024.0),
            (0x7bff, 65504.0),
            (0x0400, 6.103_515_6e-5),
            (0x0001, 5.960_464_5e-8),
            (0x8200, -3.051_757_8e-5),
        ] {
            assert_eq!(f16_to_f32(bits), value, "{bits:#06x}");
        }
        assert!(f16_to_f32(0x7c00).is_infinite());
    }

    #[test]
    fn weight_matrices_become_int8_with_row_scales_and_the_rest_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.bin");
        let mut file = Vec::new();
        write_u32(&mut file, 6).unwrap();
        write_string(&mut file, "WhisperSpec").unwrap();
        write_u32(&mut file, 3).unwrap();
        write_u32(&mut file, 2).unwrap();
        let weight: Vec<u8> = [1.0f32, -2.0, 0.5, 0.0, 0.0, 0.0]
            .iter()
            .flat_map(|v| f16(*v))
            .collect();
        write_variable(
            &mut file,
            "decoder/layer_0/ffn/linear_0/weight",
            &[2, 3],
            FLOAT16,
            &weight,
        )
        .unwrap();
        let bias: Vec<u8> = [0.25f32, 0.75].iter().flat_map(|v| f16(*v)).collect();
        write_variable(
            &mut file,
            "decoder/layer_0/ffn/linear_0/bias",
            &[2],
            FLOAT16,
            &bias,
        )
        .unwrap();
        write_u32(&mut file, 1).unwrap();
        write_string(&mut file, "decoder/projection/weight").unwrap();
        write_string(&mut file, "decoder/embeddings/weight").unwrap();
        std::fs::write(&path, &file).unwrap();

        assert_eq!(weights_to_int8(&path).unwrap(), 1);
        let mut input = BufReader::new(File::open(&path).unwrap());
        assert_eq!(read_u32(&mut input).unwrap(), 6);
        assert_eq!(read_string(&mut input).unwrap(), "WhisperSpec");
        assert_eq!(read_u32(&mut input).unwrap(), 3);
        assert_eq!(
            read_u32(&mut input).unwrap(),
            3,
            "weight, bias and the scale"
        );
        let mut read = || {
            let name = read_string(&mut input).unwrap();
            let rank = read_u8(&mut input).unwrap();
            let shape: Vec<u32> = (0..rank).map(|_| read_u32(&mut input).unwrap()).collect();
            let dtype = read_u8(&mut input).unwrap();
            let mut data = vec![0u8; read_u32(&mut input).unwrap() as usize];
            input.read_exact(&mut data).unwrap();
            (name, shape, dtype, data)
        };
        let (name, shape, dtype, data) = read();
        assert_eq!(
            (name.as_str(), shape, dtype),
            ("decoder/layer_0/ffn/linear_0/weight", vec![2, 3], INT8)
        );
        // Row 0: max |w| = 2, scale 63.5: 63.5, −127, 31.75 round to 64, −127, 32.
        assert_eq!(
            data.iter().map(|&b| b as i8).collect::<Vec<_>>(),
            [64, -127, 32, 0, 0, 0]
        );
        assert_eq!(read().2, FLOAT16, "the bias is left alone");
        let (name, shape, dtype, data) = read();
        assert_eq!(
            (name.as_str(), shape, dtype),
            (
                "decoder/layer_0/ffn/linear_0/weight_scale",
                vec![2],
                FLOAT32
            )
        );
        let scales: Vec<f32> = data
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(scales, [63.5, 1.0], "an all-zero row gets 127 / 127");
        assert_eq!(read_u32(&mut input).unwrap(), 1, "the alias is kept");

        assert_eq!(
            weights_to_int8(&path).unwrap(),
            0,
            "a second pass finds nothing to do"
        );
    }
}
