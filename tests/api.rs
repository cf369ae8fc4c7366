//! The embedding API (`orus::api`): host functions of 0 to 8 arguments and every supported
//! type, type errors in scripts calling them, typed calls into scripts (and their signature
//! check), dynamic `Value`s, globals, print capture, each limit, an interrupt from another
//! thread, and host errors and panics becoming catchable Orus errors.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orus::api::{Engine, Error, Type, Value};

fn compile(engine: &Engine, src: &str) -> orus::api::Program {
    match engine.compile(src) {
        Ok(p) => p,
        Err(d) => panic!("does not compile:\n{}", d.render()),
    }
}

fn capture(engine: &mut Engine) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    engine.on_print(move |l| sink.lock().unwrap().push(l.to_string()));
    lines
}

#[test]
fn host_functions_of_zero_to_eight_arguments() {
    let mut e = Engine::new();
    e.register_fn("zero", || 7i64);
    e.register_fn("one", |a: i64| a + 1);
    e.register_fn("two", |a: i64, b: i64| a * b);
    e.register_fn("three", |a: i32, b: i32, c: i32| a + b + c);
    e.register_fn("four", |a: f64, b: f64, c: f64, d: f64| a + b + c + d);
    e.register_fn("five", |a: bool, b: bool, c: bool, d: bool, x: i64| if a && b && c && d { x } else { -x });
    e.register_fn("six", |a: u32, b: u32, c: u32, d: u64, f: u64, g: u64| a as u64 + b as u64 + c as u64 + d + f + g);
    e.register_fn("eight", |a: i64, b: i64, c: i64, d: i64, f: i64, g: i64, h: i64, i: i64| {
        a + b + c + d + f + g + h + i
    });
    let src = "
fn all() -> string:
    a = zero()
    b = one(1)
    c = two(3, 4)
    d = three(1, 2, 3)
    f = four(0.5, 0.25, 0.125, 0.125)
    g = five(true, true, true, true, 9)
    h = six(1u32, 2u32, 3u32, 4u64, 5u64, 6u64)
    i = eight(1, 2, 3, 4, 5, 6, 7, 8)
    return \"{a} {b} {c} {d} {f} {g} {h} {i}\"
";
    let src = src.replace("\"{a} {b} {c} {d} {f} {g} {h} {i}\"", "(a as string) + \" \" + (b as string) + \" \" + (c as string) + \" \" + (d as string) + \" \" + (f as string) + \" \" + (g as string) + \" \" + (h as string) + \" \" + (i as string)");
    let mut p = compile(&e, &src);
    assert_eq!(p.call::<(), String>("all", ()).unwrap(), "7 2 12 6 1 9 21 36");
}

#[test]
fn strings_arrays_options_maps_and_void() {
    let mut e = Engine::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    e.register_fn("shout", |s: String| s.to_uppercase());
    e.register_fn("words", |s: String| s.split(' ').map(String::from).collect::<Vec<String>>());
    e.register_fn("total", |xs: Vec<i64>| xs.iter().sum::<i64>());
    e.register_fn("half", |x: i64| if x % 2 == 0 { Some(x / 2) } else { None });
    e.register_fn("opt_or", |x: Option<f64>, d: f64| x.unwrap_or(d));
    e.register_fn("counts", |xs: Vec<String>| {
        let mut m = HashMap::new();
        for x in xs {
            *m.entry(x).or_insert(0i64) += 1;
        }
        m
    });
    e.register_fn("get", |m: HashMap<String, i64>, k: String| m.get(&k).copied().unwrap_or(0));
    e.register_fn("record", move |s: String| s2.lock().unwrap().push(s));
    e.register_fn("nested", |xs: Vec<Vec<i64>>| xs.into_iter().map(|v| v.len() as i64).collect::<Vec<i64>>());
    let src = r#"
fn go() -> string:
    record(shout("hi"))
    ws = words("a b c")
    record(len(ws) as string)
    record(total([1, 2, 3]) as string)
    record(half(10).unwrap() as string)
    record(half(3).is_none() as string)
    record(opt_or(None, 2.5) as string)
    record(opt_or(Some(1.5), 2.5) as string)
    m = counts(["x", "y", "x"])
    record(m["x"] as string)
    record(get(m, "y") as string)
    record(nested([[1], [1, 2], []]) as string)
    return "done"
"#;
    let mut p = compile(&e, src);
    assert_eq!(p.call::<(), String>("go", ()).unwrap(), "done");
    assert_eq!(*seen.lock().unwrap(), ["HI", "3", "6", "5", "true", "2.5", "1.5", "2", "1", "[1, 2, 0]"]);
}

#[test]
fn wrong_argument_types_are_compile_diagnostics() {
    let mut e = Engine::new();
    e.register_fn("twice", |x: i64| x * 2);
    let d = e.compile("y = twice(\"no\")").err().expect("type error");
    assert_eq!(d.first_code(), Some("E2002"));
    let info: Vec<_> = d.iter().collect();
    assert_eq!((info[0].line, info[0].column), (1, 11));
    assert!(d.render().contains("twice(\"no\")"), "{}", d.render());
    let d = e.compile("y = twice(1, 2)").err().expect("arity error");
    assert_eq!(d.first_code(), Some("E2004"));
    let d = e.compile("y: string = twice(1)").err().expect("result type error");
    assert_eq!(d.first_code(), Some("E2002"));
    let d = e.compile("f = twice").err().expect("not a value");
    assert_eq!(d.first_code(), Some("E2013"));
}

#[test]
fn calls_check_rust_types_against_the_signature() {
    let e = Engine::new();
    let mut p = compile(&e, "fn add(a: i64, b: i64) -> i64:\n    return a + b\n");
    assert_eq!(p.call::<(i64, i64), i64>("add", (40, 2)).unwrap(), 42);
    match p.call::<(i32, i64), i64>("add", (1, 2)) {
        Err(Error::Signature { orus, .. }) => assert_eq!(orus, "fn(i64, i64) -> i64"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(p.call::<(i64, i64), String>("add", (1, 2)), Err(Error::Signature { .. })));
    assert!(matches!(p.call::<(i64,), i64>("add", (1,)), Err(Error::Signature { .. })));
    assert!(matches!(p.call::<(), i64>("nope", ()), Err(Error::NoSuchFunction(_))));
    // A Value result accepts any type.
    assert_eq!(p.call::<(i64, i64), Value>("add", (1, 2)).unwrap(), Value::I64(3));
    let f = p.get_fn::<(i64, i64), i64>("add").unwrap();
    for i in 0..1000 {
        assert_eq!(f.call(&mut p, (i, 1)).unwrap(), i + 1);
    }
}

#[test]
fn generic_functions_and_methods() {
    let e = Engine::new();
    let src = "
struct Point:
    x: f64
    y: f64

impl Point:
    fn norm2(self) -> f64:
        return self.x * self.x + self.y * self.y

fn id<T>(x: T) -> T:
    return x

a = id(1)
b = id(\"s\")

fn origin() -> Point:
    return Point { x: 3.0, y: 4.0 }
";
    let mut p = compile(&e, src);
    assert_eq!(p.call::<(i32,), i32>("id", (5,)).unwrap(), 5);
    assert_eq!(p.call::<(String,), String>("id", ("x".to_string(),)).unwrap(), "x");
    assert!(matches!(p.call::<(f64,), f64>("id", (1.0,)), Err(Error::Signature { .. })));
    let origin = p.call::<(), Value>("origin", ()).unwrap();
    assert_eq!(origin.field("y"), Some(&Value::F64(4.0)));
    let sigs: Vec<(String, String)> = p.functions().map(|(n, s)| (n.to_string(), s.to_string())).collect();
    assert!(sigs.contains(&("Point.norm2".to_string(), "fn(Point) -> f64".to_string())), "{sigs:?}");
}

#[test]
fn values_of_every_shape() {
    let e = Engine::new();
    let src = "
enum Shape:
    Circle(f64)
    Empty

struct Box:
    name: string
    items: [i32]

m = Map.new()
m[\"a\"] = 1
m[\"b\"] = 2
b = Box { name: \"crate\", items: [1, 2] }
shapes = [Shape.Circle(1.5), Shape.Empty]
maybe: Option<string> = Some(\"yes\")
r: Result<i32, string> = Err(\"bad\")
";
    let mut p = compile(&e, src);
    p.run().unwrap();
    let (m, t) = p.global_value("m").unwrap();
    assert_eq!(t, "Map<string, i32>");
    assert_eq!(m, Value::Map(vec![(Value::Str("a".into()), Value::I32(1)), (Value::Str("b".into()), Value::I32(2))]));
    let (b, t) = p.global_value("b").unwrap();
    assert_eq!(t, "Box");
    assert_eq!(b.field("name").and_then(Value::as_str), Some("crate"));
    assert_eq!(b.field("items"), Some(&Value::Array(vec![Value::I32(1), Value::I32(2)])));
    let (shapes, _) = p.global_value("shapes").unwrap();
    assert_eq!(
        shapes,
        Value::Array(vec![
            Value::Enum { name: "Shape".into(), variant: "Circle".into(), payload: vec![Value::F64(1.5)] },
            Value::Enum { name: "Shape".into(), variant: "Empty".into(), payload: vec![] },
        ])
    );
    assert_eq!(shapes.to_string(), "[Shape.Circle(1.5), Shape.Empty]");
    assert_eq!(p.global::<Option<String>>("maybe").unwrap(), Some("yes".to_string()));
    assert_eq!(p.global::<Result<i32, String>>("r").unwrap(), Err("bad".to_string()));
    assert_eq!(p.global::<HashMap<String, i32>>("m").unwrap().get("b"), Some(&2));
    assert!(matches!(p.global::<i64>("m"), Err(Error::Signature { .. })));
    assert!(matches!(p.global::<i64>("zzz"), Err(Error::NoSuchGlobal(_))));
}

#[test]
fn host_globals_and_state_between_calls() {
    let mut e = Engine::new();
    e.set_global("limit", 10i64).set_global("names", vec!["a".to_string(), "b".to_string()]);
    e.set_global_mut("total", 0i64);
    e.set_global_value("origin", Type::Array(Box::new(Type::F64)), Value::Array(vec![Value::F64(0.5)]), false);
    let src = "
mut calls = 0
fn bump(n: i64) -> i64:
    calls += 1
    total = total + n
    return total + limit + len(names) as i64 + origin[0] as i64
";
    let mut p = compile(&e, src);
    assert_eq!(p.call::<(i64,), i64>("bump", (5,)).unwrap(), 17);
    assert_eq!(p.call::<(i64,), i64>("bump", (5,)).unwrap(), 22);
    assert_eq!(p.global::<i32>("calls").unwrap(), 2);
    p.set_global("limit", 100i64).unwrap();
    assert_eq!(p.call::<(i64,), i64>("bump", (0,)).unwrap(), 112);
    assert!(matches!(p.set_global("limit", "x"), Err(Error::Signature { .. })));
    // Assigning an immutable host global is a compile error.
    assert_eq!(e.compile("limit = 3").err().and_then(|d| d.first_code()), Some("E2003"));
    // A script's own binding shadows a host global.
    let mut p = compile(&e, "let limit = \"mine\"\nfn f() -> string:\n    return limit\n");
    assert_eq!(p.call::<(), String>("f", ()).unwrap(), "mine");
}

#[test]
fn print_is_captured_line_by_line() {
    let mut e = Engine::new();
    let lines = capture(&mut e);
    let mut p = compile(&e, "print(\"a\", 1)\nfn f(x: i32):\n    print(x)\n    print(\"two\\nlines\")\n");
    p.run().unwrap();
    p.call::<(i32,), ()>("f", (7,)).unwrap();
    assert_eq!(*lines.lock().unwrap(), ["a 1", "7", "two", "lines"]);
}

#[test]
fn host_errors_and_panics_are_catchable_orus_errors() {
    let mut e = Engine::new();
    e.register_fn("parse", |s: String| s.parse::<i64>().map_err(|err| format!("bad number {s:?}: {err}")));
    e.register_fn("boom", |x: i64| -> i64 {
        if x > 0 {
            panic!("host bug {x}");
        }
        x
    });
    let src = "
fn safe(s: string) -> string:
    try:
        return parse(s) as string
    catch err:
        return err.code + \" \" + err.message

fn caught() -> string:
    try:
        return boom(1) as string
    catch err:
        return err.code

fn uncaught() -> i64:
    return boom(2)
";
    let mut p = compile(&e, src);
    assert_eq!(p.call::<(String,), String>("safe", ("12".into(),)).unwrap(), "12");
    let msg = p.call::<(String,), String>("safe", ("x".into(),)).unwrap();
    assert!(msg.starts_with("E0020 bad number \"x\""), "{msg}");
    assert_eq!(p.call::<(), String>("caught", ()).unwrap(), "E0021");
    let err = p.call::<(), i64>("uncaught", ()).unwrap_err();
    assert_eq!(err.code(), Some("E0021"));
    assert!(err.message().contains("host bug 2"));
    assert!(p.render_error(&err).contains("uncaught"), "{}", p.render_error(&err));
    // The program is still usable afterwards.
    assert_eq!(p.call::<(String,), String>("safe", ("5".into(),)).unwrap(), "5");
}

#[test]
fn runtime_errors_are_errors_not_panics() {
    let e = Engine::new();
    let mut p = compile(&e, "fn div(a: i32, b: i32) -> i32:\n    return a / b\n");
    assert_eq!(p.call::<(i32, i32), i32>("div", (1, 0)).unwrap_err().code(), Some("E0001"));
    assert_eq!(p.call::<(i32, i32), i32>("div", (6, 2)).unwrap(), 3);
}

#[test]
fn limit_instruction_budget() {
    let e = Engine::builder().max_instructions(10_000).build();
    let mut p = compile(&e, "fn spin():\n    while true:\n        pass\nfn quick() -> i32:\n    return 1\n");
    assert_eq!(p.call::<(), ()>("spin", ()).unwrap_err().code(), Some("E0015"));
    // Each call gets a fresh budget.
    assert_eq!(p.call::<(), i32>("quick", ()).unwrap(), 1);
}

#[test]
fn limit_heap_bytes() {
    let e = Engine::builder().max_heap_bytes(4 << 20).build();
    let mut p = compile(&e, "fn grow():\n    mut s = \"x\"\n    while true:\n        s = s + s\n");
    assert_eq!(p.call::<(), ()>("grow", ()).unwrap_err().code(), Some("E0014"));
}

#[test]
fn limit_call_depth() {
    let e = Engine::builder().max_call_depth(100).build();
    let mut p = compile(&e, "fn down(n: i32) -> i32:\n    return down(n + 1) + 1\nfn shallow(n: i32) -> i32:\n    if n == 0:\n        return 0\n    return shallow(n - 1) + 1\n");
    assert_eq!(p.call::<(i32,), i32>("down", (0,)).unwrap_err().code(), Some("E0004"));
    assert_eq!(p.call::<(i32,), i32>("shallow", (50,)).unwrap(), 50);
}

#[test]
fn limit_timeout() {
    let e = Engine::builder().timeout(Duration::from_millis(50)).build();
    let mut p = compile(&e, "fn spin():\n    while true:\n        pass\n");
    let t = Instant::now();
    assert_eq!(p.call::<(), ()>("spin", ()).unwrap_err().code(), Some("E0016"));
    assert!(t.elapsed() < Duration::from_secs(5));
    // The deadline is per call.
    let t = Instant::now();
    assert_eq!(p.call::<(), ()>("spin", ()).unwrap_err().code(), Some("E0016"));
    assert!(t.elapsed() >= Duration::from_millis(40));
}

#[test]
fn interrupt_from_another_thread() {
    let e = Engine::new();
    let mut p = compile(&e, "fn spin():\n    while true:\n        pass\nfn one() -> i32:\n    return 1\n");
    let handle = p.interrupt_handle();
    let h2 = handle.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        h2.interrupt();
    });
    assert_eq!(p.call::<(), ()>("spin", ()).unwrap_err().code(), Some("E0018"));
    stopper.join().unwrap();
    assert!(handle.is_set());
    handle.clear();
    assert_eq!(p.call::<(), i32>("one", ()).unwrap(), 1);
}

#[test]
fn host_calls_survive_garbage_collection() {
    let mut e = Engine::new();
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    e.register_fn("tag", move |s: String, i: i64| {
        n2.fetch_add(1, Ordering::Relaxed);
        format!("{s}-{i}")
    });
    let src = "
fn build(n: i64) -> i64:
    mut parts: [string] = []
    for i in 0..n:
        push(parts, tag(\"item\", i))
    mut total = 0
    for p in parts:
        total += len(p) as i64
    return total
";
    let mut p = compile(&e, src);
    let total = p.call::<(i64,), i64>("build", (20_000,)).unwrap();
    let expected: i64 = (0..20_000).map(|i: i64| format!("item-{i}").len() as i64).sum();
    assert_eq!(total, expected);
    assert_eq!(n.load(Ordering::Relaxed), 20_000);
}

#[test]
fn types_parse_and_print() {
    for t in [
        "i32",
        "[string]",
        "Map<string, [Option<i64>]>",
        "Result<bool, string>",
        "fn(i32, f64) -> bool",
        "fn()",
        "Point",
    ] {
        assert_eq!(Type::parse(t).map(|t| t.to_string()).as_deref(), Some(t));
    }
    assert_eq!(Type::parse("[i32"), None);
    assert_eq!(Type::parse("Map<i32>").map(|t| t.to_string()).as_deref(), Some("Map<i32>"));
}

#[test]
fn std_modules_can_be_restricted_and_exit_ends_a_call() {
    let restricted = Engine::builder().std_modules(&["std.math", "std.os"]).build();
    let d = restricted.check("use std.io: read_file\nprint(1)\n");
    assert!(d.iter().any(|d| d.code == "E3001"), "{}", d.render());
    let mut p = compile(
        &restricted,
        "use std.math: sqrt\nuse std.os: exit\nfn root(x: f64) -> f64:\n    return sqrt(x)\nfn quit():\n    exit(3)\n",
    );
    assert_eq!(p.call::<(f64,), f64>("root", (16.0,)).ok(), Some(4.0));
    assert!(matches!(p.call::<(), ()>("quit", ()), Err(Error::Exit(3))));
    // Embedded scripts never read module files: only the standard library exists.
    let all = Engine::new();
    let d = all.check("use geometry\nprint(1)\n");
    assert!(d.iter().any(|d| d.code == "E3001"), "{}", d.render());
}
