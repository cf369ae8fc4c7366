//! A host program embedding Orus: it registers Rust functions and a global, loads a
//! script, calls into it with typed arguments, reads a struct result as a dynamic value,
//! captures `print`, and handles a script error, a host error and a type mismatch.
//!
//! Run with `cargo run --example embed`.

use std::sync::{Arc, Mutex};

use orus::api::{Engine, Error, Value};

const SCRIPT: &str = r#"
struct Order:
    item: string
    qty: i64
    total: f64

fn price(item: string, qty: i64) -> f64:
    unit = lookup_price(item)
    return unit * (qty as f64) * (1.0 - discount(qty))

fn order(item: string, qty: i64) -> Order:
    log("pricing " + item)
    return Order { item: item, qty: qty, total: price(item, qty) }

fn safe_price(item: string) -> f64:
    try:
        return price(item, 1)
    catch err:
        print("no price: " + err.message)
        return 0.0

fn check(qty: i64) -> i64:
    if qty > max_qty:
        panic("quantity too large")
    return qty
"#;

fn main() {
    let mut engine = Engine::builder().max_instructions(1_000_000).build();
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    engine
        .register_fn("lookup_price", |item: String| -> Result<f64, String> {
            match item.as_str() {
                "apple" => Ok(0.5),
                "pear" => Ok(0.75),
                other => Err(format!("unknown item `{other}`")),
            }
        })
        .register_fn("discount", |qty: i64| if qty >= 10 { 0.1 } else { 0.0 })
        .register_fn("log", move |msg: String| sink.lock().map(|mut l| l.push(msg)).unwrap_or(()))
        .set_global("max_qty", 100i64)
        .on_print(|line| println!("[script] {line}"));

    let mut program = match engine.compile_named("shop.orus", SCRIPT) {
        Ok(p) => p,
        Err(diags) => {
            eprint!("{}", diags.render());
            std::process::exit(1);
        }
    };

    // A typed call.
    let total: f64 = program.call("price", ("apple".to_string(), 20i64)).expect("price");
    println!("20 apples cost {total:.2}");

    // A struct result, read dynamically.
    let order: Value = program.call("order", ("pear".to_string(), 4i64)).expect("order");
    println!("order: {order}");
    println!("  total field: {:?}", order.field("total").and_then(Value::as_f64));
    println!("host log: {:?}", log.lock().map(|l| l.clone()).unwrap_or_default());

    // A host error (Err from lookup_price) caught by the script.
    let zero: f64 = program.call("safe_price", ("plum".to_string(),)).expect("safe_price");
    println!("plum costs {zero}");

    // An uncaught script error comes back as an error value with a stack trace.
    match program.call::<(i64,), i64>("check", (500,)) {
        Ok(q) => println!("accepted {q}"),
        Err(e) => print!("check failed:\n{}", program.render_error(&e)),
    }

    // Calling with the wrong Rust types is refused before anything runs.
    match program.call::<(String,), f64>("price", ("apple".to_string(),)) {
        Err(Error::Signature { orus, rust, .. }) => println!("refused: price is {orus}, not {rust}"),
        other => println!("unexpected: {other:?}"),
    }

    // A type error in a script is a diagnostic with a code and a position.
    if let Err(diags) = engine.compile("x = discount(\"ten\")") {
        for d in diags.iter() {
            println!("diagnostic {} at {}:{}: {}", d.code, d.line, d.column, d.message);
        }
    }
}
