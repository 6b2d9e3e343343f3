//! Choices read from [`Unstructured`]: uniform and weighted picks of two bytes each, so the
//! weights hold (one byte taken modulo 100 would favour the first entries by half).
//!
//! Every choice answers its **first** option when the input is exhausted: the first option of
//! each table is the plain, common one (an allowed origin, `GET`, no headers, `cors` mode).

use arbitrary::{Result, Unstructured};

/// A number in `0..n` (`n >= 1`).
pub(crate) fn below(u: &mut Unstructured<'_>, n: usize) -> Result<usize> {
    debug_assert!(n >= 1);
    if n <= 1 {
        return Ok(0);
    }
    let x: u16 = u.int_in_range(0..=u16::MAX)?;
    Ok(((u64::from(x) * n as u64) >> 16) as usize)
}

/// One element of a non-empty slice.
pub(crate) fn one<'t, T>(u: &mut Unstructured<'_>, items: &'t [T]) -> Result<&'t T> {
    Ok(&items[below(u, items.len())?])
}

/// The index `i` with probability `weights[i] / sum(weights)`.
pub(crate) fn weighted(u: &mut Unstructured<'_>, weights: &[u32]) -> Result<usize> {
    let total: u32 = weights.iter().sum();
    let mut x = below(u, total as usize)? as u32;
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return Ok(i);
        }
        x -= w;
    }
    Ok(weights.len() - 1)
}

/// True with probability `per_mille / 1000`.
pub(crate) fn chance(u: &mut Unstructured<'_>, per_mille: u32) -> Result<bool> {
    Ok(weighted(u, &[1000 - per_mille, per_mille])? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhausted_input_gives_the_first_option() {
        let mut u = Unstructured::new(&[]);
        assert_eq!(below(&mut u, 7).unwrap(), 0);
        assert_eq!(weighted(&mut u, &[0, 3, 5]).unwrap(), 1, "a zero weight is never chosen");
        assert!(!chance(&mut u, 999).unwrap());
    }

    #[test]
    fn weights_are_respected() {
        let data: Vec<u8> = (0..=u16::MAX).flat_map(|x| x.to_be_bytes()).collect();
        let mut u = Unstructured::new(&data);
        let mut counts = [0usize; 3];
        for _ in 0..=u16::MAX {
            counts[weighted(&mut u, &[1, 2, 7]).unwrap()] += 1;
        }
        let shares: Vec<f64> = counts.iter().map(|&c| c as f64 / 65536.0).collect();
        assert!((shares[0] - 0.1).abs() < 0.001 && (shares[1] - 0.2).abs() < 0.001, "{shares:?}");
    }
}
