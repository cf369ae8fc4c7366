//! Checked integer arithmetic, shifts, float-to-int casts, indexing and counted-loop set-up
//! on raw register values (see the representation notes in `bytecode/op.rs`). Failures are
//! small `Fault` values, turned into `RuntimeError`s only on the cold path.

use crate::diag::codes;
use crate::vm::error::RuntimeError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    DivByZero,
    Overflow,
    /// (amount, type name)
    Shift(i64, &'static str),
    /// (value, target type name)
    Cast(f64, &'static str),
    /// (index, length)
    Index(i64, usize),
    ZeroStep,
}

impl From<Fault> for RuntimeError {
    #[cold]
    fn from(f: Fault) -> RuntimeError {
        match f {
            Fault::DivByZero => RuntimeError::new(codes::DIVISION_BY_ZERO, "division by zero"),
            Fault::Overflow => RuntimeError::new(codes::OVERFLOW, "integer overflow"),
            Fault::Shift(n, ty) => {
                RuntimeError::new(codes::SHIFT_OUT_OF_RANGE, format!("shift amount {n} out of range for {ty}"))
            }
            Fault::Cast(v, ty) => {
                let why = if v.is_nan() { "" } else { " (out of range)" };
                RuntimeError::new(codes::BAD_CONVERSION, format!("cannot convert {v} to {ty}{why}"))
            }
            Fault::Index(i, len) => {
                RuntimeError::new(codes::INDEX_OUT_OF_RANGE, format!("index {i} out of range for length {len}"))
            }
            Fault::ZeroStep => RuntimeError::new(codes::ZERO_STEP, "range step cannot be zero"),
        }
    }
}

pub type Ar = Result<u64, Fault>;

#[inline(always)]
fn i32v(v: i32) -> u64 {
    v as i64 as u64
}

#[inline(always)]
pub fn add_i32(a: u64, b: u64) -> Ar {
    (a as i32).checked_add(b as i32).map(i32v).ok_or(Fault::Overflow)
}
#[inline(always)]
pub fn sub_i32(a: u64, b: u64) -> Ar {
    (a as i32).checked_sub(b as i32).map(i32v).ok_or(Fault::Overflow)
}
#[inline(always)]
pub fn mul_i32(a: u64, b: u64) -> Ar {
    (a as i32).checked_mul(b as i32).map(i32v).ok_or(Fault::Overflow)
}
#[inline(always)]
pub fn add_i64(a: u64, b: u64) -> Ar {
    (a as i64).checked_add(b as i64).map(|v| v as u64).ok_or(Fault::Overflow)
}
#[inline(always)]
pub fn sub_i64(a: u64, b: u64) -> Ar {
    (a as i64).checked_sub(b as i64).map(|v| v as u64).ok_or(Fault::Overflow)
}
#[inline(always)]
pub fn mul_i64(a: u64, b: u64) -> Ar {
    (a as i64).checked_mul(b as i64).map(|v| v as u64).ok_or(Fault::Overflow)
}

pub fn div_i32(a: u64, b: u64) -> Ar {
    if b as i32 == 0 {
        return Err(Fault::DivByZero);
    }
    (a as i32).checked_div(b as i32).map(i32v).ok_or(Fault::Overflow)
}
pub fn div_i64(a: u64, b: u64) -> Ar {
    if b == 0 {
        return Err(Fault::DivByZero);
    }
    (a as i64).checked_div(b as i64).map(|v| v as u64).ok_or(Fault::Overflow)
}
pub fn div_u(a: u64, b: u64) -> Ar {
    a.checked_div(b).ok_or(Fault::DivByZero)
}
pub fn rem_i32(a: u64, b: u64) -> Ar {
    if b as i32 == 0 {
        return Err(Fault::DivByZero);
    }
    Ok(i32v((a as i32).wrapping_rem(b as i32)))
}
pub fn rem_i64(a: u64, b: u64) -> Ar {
    if b == 0 {
        return Err(Fault::DivByZero);
    }
    Ok((a as i64).wrapping_rem(b as i64) as u64)
}
pub fn rem_u(a: u64, b: u64) -> Ar {
    a.checked_rem(b).ok_or(Fault::DivByZero)
}
pub fn neg_i32(a: u64) -> Ar {
    (a as i32).checked_neg().map(i32v).ok_or(Fault::Overflow)
}
pub fn neg_i64(a: u64) -> Ar {
    (a as i64).checked_neg().map(|v| v as u64).ok_or(Fault::Overflow)
}

#[inline(always)]
pub fn f64_op(a: u64, b: u64, f: impl Fn(f64, f64) -> f64) -> u64 {
    f(f64::from_bits(a), f64::from_bits(b)).to_bits()
}

#[inline(always)]
pub fn f64_cmp(a: u64, b: u64, f: impl Fn(f64, f64) -> bool) -> u64 {
    f(f64::from_bits(a), f64::from_bits(b)) as u64
}

/// The shift amount in `0..width`, as rule 16.7 requires.
#[inline(always)]
fn amount(n: u64, width: u32, ty: &'static str) -> Result<u32, Fault> {
    let n = n as i64;
    if (0..width as i64).contains(&n) {
        Ok(n as u32)
    } else {
        Err(Fault::Shift(n, ty))
    }
}

pub fn shl_i32(a: u64, n: u64) -> Ar {
    Ok(i32v((a as i32).wrapping_shl(amount(n, 32, "i32")?)))
}
pub fn shl_i64(a: u64, n: u64) -> Ar {
    Ok(a.wrapping_shl(amount(n, 64, "i64")?))
}
pub fn shl_u32(a: u64, n: u64) -> Ar {
    Ok((a as u32).wrapping_shl(amount(n, 32, "u32")?) as u64)
}
pub fn shl_u64(a: u64, n: u64) -> Ar {
    Ok(a.wrapping_shl(amount(n, 64, "u64")?))
}
pub fn shr_i32(a: u64, n: u64) -> Ar {
    Ok(i32v((a as i32).wrapping_shr(amount(n, 32, "i32")?)))
}
pub fn shr_i64(a: u64, n: u64) -> Ar {
    Ok(((a as i64).wrapping_shr(amount(n, 64, "i64")?)) as u64)
}
pub fn shr_u32(a: u64, n: u64) -> Ar {
    Ok((a as u32).wrapping_shr(amount(n, 32, "u32")?) as u64)
}
pub fn shr_u64(a: u64, n: u64) -> Ar {
    Ok(a.wrapping_shr(amount(n, 64, "u64")?))
}

/// f64 → integer, truncating toward zero; `lo..=hi` is the valid range of the truncated
/// value (exact in f64 for the bounds used).
fn f64_to(v: u64, lo: f64, hi_exclusive: f64, ty: &'static str) -> Result<f64, Fault> {
    let f = f64::from_bits(v);
    let t = f.trunc();
    if t >= lo && t < hi_exclusive {
        Ok(t)
    } else {
        Err(Fault::Cast(f, ty))
    }
}
pub fn f64_to_i32(v: u64) -> Ar {
    f64_to(v, -2147483648.0, 2147483648.0, "i32").map(|t| i32v(t as i32))
}
pub fn f64_to_i64(v: u64) -> Ar {
    f64_to(v, -9223372036854775808.0, 9223372036854775808.0, "i64").map(|t| t as i64 as u64)
}
pub fn f64_to_u32(v: u64) -> Ar {
    f64_to(v, 0.0, 4294967296.0, "u32").map(|t| t as u64)
}
pub fn f64_to_u64(v: u64) -> Ar {
    f64_to(v, 0.0, 18446744073709551616.0, "u64").map(|t| t as u64)
}

/// A checked element index (any integer type, read as signed).
#[inline(always)]
pub fn index(v: u64, len: usize) -> Result<usize, Fault> {
    let i = v as i64;
    if i >= 0 && (i as u64) < len as u64 {
        Ok(i as usize)
    } else {
        Err(Fault::Index(i, len))
    }
}

/// Slice bounds `lo..hi` (signed) clamped to `0..=len`, with `hi >= lo`.
pub fn clamp_range(lo: u64, hi: u64, len: usize) -> (usize, usize) {
    let clamp = |v: u64| (v as i64).clamp(0, len as i64) as usize;
    let (lo, hi) = (clamp(lo), clamp(hi));
    (lo, hi.max(lo))
}

/// Trip count of a signed counted loop, minus one; `None` when the loop runs zero times.
pub fn trips_signed(start: u64, end: u64, step: u64, inclusive: bool) -> Result<Option<u64>, Fault> {
    let (s, e, st) = (start as i64 as i128, end as i64 as i128, step as i64 as i128);
    if st == 0 {
        return Err(Fault::ZeroStep);
    }
    let (dist, st) = if st > 0 { (e - s, st) } else { (s - e, -st) };
    Ok(trips(dist, st, inclusive))
}

/// Trip count of an unsigned counted loop (positive step), minus one.
pub fn trips_unsigned(start: u64, end: u64, step: u64, inclusive: bool) -> Result<Option<u64>, Fault> {
    if step == 0 {
        return Err(Fault::ZeroStep);
    }
    Ok(trips(end as i128 - start as i128, step as i128, inclusive))
}

/// Iterations covering distance `dist` (negative: none) with positive step `step`, minus one.
fn trips(dist: i128, step: i128, inclusive: bool) -> Option<u64> {
    let count = match (inclusive, dist) {
        (true, d) if d >= 0 => d / step + 1,
        (false, d) if d > 0 => (d + step - 1) / step,
        _ => 0,
    };
    (count > 0).then(|| (count - 1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trip_counts() {
        let t = |s: i64, e: i64, st: i64, inc| trips_signed(s as u64, e as u64, st as u64, inc).unwrap();
        assert_eq!(t(0, 10, 2, false), Some(4));
        assert_eq!(t(10, 0, -3, false), Some(3));
        assert_eq!(t(0, 3, 1, true), Some(3));
        assert_eq!(t(0, 10, 5, true), Some(2));
        assert_eq!(t(5, 5, 1, false), None);
        assert_eq!(t(5, 5, 1, true), Some(0));
        assert_eq!(t(i64::MIN, i64::MAX, 1, true), Some(u64::MAX));
        assert_eq!(trips_signed(0, 1, 0, false), Err(Fault::ZeroStep));
        assert_eq!(trips_unsigned(0, u64::MAX, 1, true).unwrap(), Some(u64::MAX));
    }

    #[test]
    fn casts_and_shifts() {
        assert_eq!(f64_to_i32((-3.99f64).to_bits()), Ok(-3i64 as u64));
        assert!(f64_to_i32(f64::NAN.to_bits()).is_err());
        assert!(f64_to_u32((-1.5f64).to_bits()).is_err());
        assert_eq!(f64_to_u32((-0.5f64).to_bits()), Ok(0));
        assert!(f64_to_i64(1e20f64.to_bits()).is_err());
        assert_eq!(shl_i32(1, 31), Ok(i32::MIN as i64 as u64));
        assert!(shl_i32(1, 32).is_err());
        assert!(shl_i32(1, -1i64 as u64).is_err());
        assert_eq!(shr_i32(-16i64 as u64, 2), Ok(-4i64 as u64));
        assert_eq!(shr_u32(0xFFFF_FFFF, 28), Ok(15));
        assert_eq!(rem_i32(i32::MIN as i64 as u64, -1i64 as u64), Ok(0));
        assert_eq!(div_i32(i32::MIN as i64 as u64, -1i64 as u64), Err(Fault::Overflow));
        assert_eq!(rem_i32(-7i64 as u64, 2), Ok(-1i64 as u64));
    }
}
