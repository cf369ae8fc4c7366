//! Maps under the collector (many string keys and values, removals, stress mode) and a
//! timing of 1,000,000 i32 keys (ignored by default).

use super::asm::assemble;
use super::maps::DECLS;
use super::run;

/// Builds `N` string keys `key-i` -> `str(2i)` (keys from concatenation, values from
/// `as string`), removes every third, then sums the parsed values of the rest by lookup.
#[test]
fn many_string_keys_survive_stress_collection() {
    let src = "
.const \"key-\"
.const 1200
.sig i32 i32 i32
.fn main params=1 regs=24
  NewMap 1 Map<str,str> !0,1
  LoadI 2 0
  LoadK 3 1
  LoadK 4 0
ins:
  LtS 5 2 3
  JmpIfNot 5 check
  ToStr 6 2 i32 !0,1,4,6
  Concat 7 4 6 !0,1,4,7
  AddI32 8 2 2
  ToStr 9 8 i32 !0,1,4,7,9
  MapSet 1 7 9 !0,1,4
  LoadI 10 3
  RemI32 10 2 10
  LoadI 11 0
  Eq 10 10 11
  JmpIfNot 10 next
  ToStr 6 2 i32 !0,1,4,6
  Concat 7 4 6 !0,1,4,7
  MapRemove 12 1 7 Option<str> !0,1,4,12
next:
  AddII32 2 2 1
  Jmp ins
check:
  LoadI 2 0
  LoadI 13 0
  LoadI 14 0
loop:
  LtS 5 2 3
  JmpIfNot 5 done
  ToStr 6 2 i32 !0,1,4,6
  Concat 7 4 6 !0,1,4,7
  MapContains 10 1 7
  JmpIfNot 10 skip
  MapGet 17 1 7
  CallN 16 1 ParseInt !0,1,4
  AddI32 13 13 16
  AddII32 14 14 1
skip:
  AddII32 2 2 1
  Jmp loop
done:
  MapLen 15 1
  Print 13 3 0 !0,1
  LoadI 0 0
  Ret 0
";
    let o = run(&format!("{DECLS}{src}"));
    assert_eq!(o.result, Ok(0));
    // Sum of 2i over 0 <= i < 1200 with i % 3 != 0.
    let sum: i32 = (0..1200).filter(|i| i % 3 != 0).map(|i| 2 * i).sum();
    assert_eq!(o.out, format!("{sum} 800 800\n"));
}

/// Inserts then looks up 1,000,000 i32 keys (sequential, then scattered by a multiplicative
/// hash; then 1,000,000 operations on 1024 keys, all in cache) and prints the timings. Run with
/// `cargo test --release -- --ignored map_speed --nocapture`.
#[test]
#[ignore]
fn map_speed() {
    let cases =
        [("sequential", "Move 6 2"), ("scattered", "MulU32 6 2 9\n  TruncI32 6 6"), ("1024 hot keys", "BitAnd 6 2 18")];
    for (label, scramble) in cases {
        let src = format!(
            "{DECLS}
.const 1000000
.const 2654435761
.sig f64 f64 i64 i32
.fn main params=1 regs=20
  NewMap 1 Map<i32,i32> !0,1
  LoadK 3 0
  LoadK 9 1
  LoadI 18 1023
  CallN 10 0 Timestamp !0,1
  LoadI 2 0
ins:
  LtS 4 2 3
  JmpIfNot 4 look
  {scramble}
  MapSet 1 6 2 !0,1
  AddII32 2 2 1
  Jmp ins
look:
  CallN 11 0 Timestamp !0,1
  LoadI 2 0
  LoadI 7 0
get:
  LtS 4 2 3
  JmpIfNot 4 done
  {scramble}
  MapGet 5 1 6
  AddI64 7 7 5
  AddII32 2 2 1
  Jmp get
done:
  CallN 12 0 Timestamp !0,1
  SubF64 13 11 10
  SubF64 14 12 11
  Move 15 7
  MapLen 8 1
  Move 16 8
  Print 13 4 0 !0
  LoadI 0 0
  Ret 0
"
        );
        let prog = assemble(&src);
        let mut out = Vec::new();
        let mut input = std::io::Cursor::new(Vec::new());
        let config = crate::vm::VmConfig { max_call_depth: 1000, gc_stress: false, ..Default::default() };
        let (r, stats) = crate::vm::run_with_io(&prog, &config, &[], &mut input, &mut out);
        assert_eq!(r, Ok(0));
        let text = String::from_utf8_lossy(&out);
        let f: Vec<&str> = text.split_whitespace().collect();
        let (ins, get): (f64, f64) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        if !label.contains("hot") {
            assert_eq!(f[2], "499999500000");
            assert_eq!(f[3], "1000000");
        }
        println!(
            "{label}: insert {:.1} ns/key ({ins:.3} s), lookup {:.1} ns/key ({get:.3} s), {} collections",
            ins * 1e3,
            get * 1e3,
            stats.collections
        );
    }
}
