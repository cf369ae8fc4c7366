//! Built-in calls: the common ones compile to dedicated instructions (`len`, `push`, `pop`,
//! `print`, casts for `int`/`float` of numbers, `typeof` as a constant); the rest call a
//! native with the element or value type as its type argument.

use super::func::{FnBuilder, Reg};
use crate::bytecode::native::Native;
use crate::bytecode::op::Op;
use crate::bytecode::verify::native_uses_type;
use crate::resolve::Builtin;
use crate::syntax::ast::*;
use crate::types::ty::{type_name, Ty};

/// The native behind each of the standard library's `__` built-ins.
fn internal_native(b: Builtin) -> Option<Native> {
    Some(match b {
        Builtin::Sqrt => Native::Sqrt,
        Builtin::Pow => Native::Pow,
        Builtin::Floor => Native::Floor,
        Builtin::Ceil => Native::Ceil,
        Builtin::Round => Native::Round,
        Builtin::Sin => Native::Sin,
        Builtin::Cos => Native::Cos,
        Builtin::Tan => Native::Tan,
        Builtin::Atan2 => Native::Atan2,
        Builtin::Exp => Native::Exp,
        Builtin::Ln => Native::Ln,
        Builtin::Log10 => Native::Log10,
        Builtin::ReadFile => Native::ReadFile,
        Builtin::WriteFile => Native::WriteFile,
        Builtin::ReadLines => Native::ReadLines,
        Builtin::Args => Native::Args,
        Builtin::Env => Native::Env,
        Builtin::Exit => Native::Exit,
        Builtin::Sleep => Native::Sleep,
        Builtin::Now => Native::Timestamp,
        _ => return None,
    })
}

impl<'g, 'a> FnBuilder<'g, 'a> {
    pub fn builtin_call(&mut self, b: Builtin, args: &[&Expr], call: &Expr, dst: Reg) {
        let ty = |s: &Self, i: usize| args.get(i).map(|a| s.node_type(a.id)).unwrap_or(Ty::Void);
        let t0 = ty(self, 0);
        let elem = match &t0 {
            Ty::Array(e) => (**e).clone(),
            other => other.clone(),
        };
        match b {
            Builtin::Print => self.print(args),
            Builtin::Len => {
                let r = self.expr_reg(args[0]);
                let op = match t0 {
                    Ty::Str => Op::StrLen,
                    Ty::Map(..) => Op::MapLen,
                    _ => Op::ArrayLen,
                };
                self.abc(op, dst, r, 0);
            }
            Builtin::Push => {
                let xs = self.expr_reg(args[0]);
                let v = self.expr_reg(args[1]);
                self.abc(Op::ArrayPush, xs, v, 0);
            }
            Builtin::Pop => {
                let xs = self.expr_reg(args[0]);
                self.abc(Op::ArrayPop, dst, xs, 0);
            }
            Builtin::Insert => self.native(Native::ArrayInsert, &elem, args, call, dst),
            Builtin::Remove => self.native(Native::ArrayRemove, &elem, args, call, dst),
            Builtin::Sort => self.native(Native::Sort, &elem, args, call, dst),
            Builtin::Sorted => self.native(Native::Sorted, &elem, args, call, dst),
            Builtin::Reverse => self.native(Native::Reverse, &elem, args, call, dst),
            Builtin::Contains if t0 == Ty::Str => self.native(Native::StrContains, &Ty::Void, args, call, dst),
            Builtin::Contains if matches!(t0, Ty::Map(..)) => {
                let m = self.expr_reg(args[0]);
                let k = self.expr_reg(args[1]);
                self.abc(Op::MapContains, dst, m, k);
            }
            Builtin::Contains => self.native(Native::ArrayContains, &elem, args, call, dst),
            Builtin::Range => self.range_call(args, &t0, dst),
            Builtin::Min => self.native(Native::Min, &t0, args, call, dst),
            Builtin::Max => self.native(Native::Max, &t0, args, call, dst),
            Builtin::Abs => self.native(Native::Abs, &t0, args, call, dst),
            Builtin::Input if args.is_empty() => self.native(Native::Input, &Ty::Void, args, call, dst),
            Builtin::Input => self.native(Native::InputPrompt, &Ty::Void, args, call, dst),
            Builtin::Int => self.convert(args[0], &t0, Ty::I32, Native::ParseInt, call, dst),
            Builtin::Float => self.convert(args[0], &t0, Ty::F64, Native::ParseFloat, call, dst),
            Builtin::TypeOf => {
                let name = type_name(&t0, &self.g.typed.table.adt_names);
                self.const_str_into(dst, &name);
            }
            Builtin::IsType => {
                let name = type_name(&t0, &self.g.typed.table.adt_names);
                match &args[1].kind {
                    ExprKind::Str(s) => self.load_int(dst, (*s == name) as i64),
                    _ => {
                        let r = self.expr_reg(args[1]);
                        let k = self.alloc(true);
                        self.const_str_into(k, &name);
                        self.abc(Op::EqStr, dst, r, k);
                    }
                }
            }
            Builtin::Timestamp => self.native(Native::Timestamp, &Ty::Void, args, call, dst),
            Builtin::Assert => self.native(Native::Assert, &Ty::Void, args, call, dst),
            Builtin::AssertEq => {
                let t1 = ty(self, 1);
                self.native(Native::AssertEq, &t1, args, call, dst)
            }
            Builtin::Panic => {
                let r = self.expr_reg(args[0]);
                self.abc(Op::Panic, r, 0, 0);
            }
            Builtin::StartsWith => self.native(Native::StartsWith, &Ty::Void, args, call, dst),
            Builtin::EndsWith => self.native(Native::EndsWith, &Ty::Void, args, call, dst),
            Builtin::Split => self.native(Native::Split, &Ty::Void, args, call, dst),
            Builtin::Join => self.native(Native::Join, &Ty::Void, args, call, dst),
            Builtin::Trim => self.native(Native::Trim, &Ty::Void, args, call, dst),
            Builtin::ToUpper => self.native(Native::ToUpper, &Ty::Void, args, call, dst),
            Builtin::ToLower => self.native(Native::ToLower, &Ty::Void, args, call, dst),
            Builtin::Replace => self.native(Native::Replace, &Ty::Void, args, call, dst),
            Builtin::Repeat => self.native(Native::Repeat, &Ty::Void, args, call, dst),
            Builtin::Chars => self.native(Native::Chars, &Ty::Void, args, call, dst),
            Builtin::Find => {
                let option = self.node_type(call.id);
                self.native(Native::StrFind, &option, args, call, dst)
            }
            Builtin::SomeVariant | Builtin::NoneVariant | Builtin::OkVariant | Builtin::ErrVariant => {}
            _ => {
                if let Some(n) = internal_native(b) {
                    let type_arg = if native_uses_type(n) { self.node_type(call.id) } else { Ty::Void };
                    self.native(n, &type_arg, args, call, dst);
                }
            }
        }
    }

    fn native(&mut self, n: Native, type_arg: &Ty, args: &[&Expr], call: &Expr, dst: Reg) {
        let tid = if *type_arg == Ty::Void { 0 } else { self.g.type_id(type_arg) as u32 };
        // The result register's kind must be known before the call: the safepoint after a
        // native includes its result.
        let result = self.node_type(call.id);
        // As for direct calls: the newest register `dst` (of the result's kind) can be the
        // result register itself.
        let a =
            if self.optimizing() && dst as usize + 1 == self.mark() && self.is_ref_reg(dst) == self.g.is_ref(&result) {
                dst
            } else {
                self.alloc_for(&result)
            };
        self.place_args(a, args.iter().copied());
        self.abc_x(Op::CallN, a, args.len() as u8, 0, n as u32 | tid << 16);
        self.finish_call(call, a, dst);
    }

    fn convert(&mut self, arg: &Expr, from: &Ty, to: Ty, parse: Native, call: &Expr, dst: Reg) {
        if *from == Ty::Str {
            return self.native(parse, &Ty::Void, &[arg], call, dst);
        }
        let r = self.expr_reg(arg);
        let op = match (from, &to) {
            (Ty::F64, Ty::I32) => Op::F64ToI32,
            (Ty::F64, _) => Op::Move,
            (Ty::U32 | Ty::U64, Ty::F64) => Op::UIntToF64,
            (_, Ty::F64) => Op::SIntToF64,
            _ => Op::TruncI32,
        };
        self.abc(op, dst, r, 0);
    }

    fn range_call(&mut self, args: &[&Expr], t0: &Ty, dst: Reg) {
        let a = self.alloc_n(4);
        match args {
            [stop] => {
                self.load_int(a, 0);
                self.expr_into(stop, a + 1);
                self.load_int(a + 2, 1);
            }
            [start, stop] => {
                self.expr_into(start, a);
                self.expr_into(stop, a + 1);
                self.load_int(a + 2, 1);
            }
            [start, stop, step, ..] => {
                self.expr_into(start, a);
                self.expr_into(stop, a + 1);
                self.expr_into(step, a + 2);
            }
            [] => return,
        }
        self.load_int(a + 3, 0);
        let tid = self.g.type_id(t0);
        self.abc_x(Op::NewRange, dst, a, 0, tid as u32);
    }

    fn print(&mut self, args: &[&Expr]) {
        let base = self.alloc_n(args.len().max(1));
        let mut sig = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            let t = self.node_type(arg.id);
            let r = base + i as u8;
            self.set_kind_for(r, &t);
            self.expr_into(arg, r);
            sig.push(self.g.type_id(&t));
        }
        let index = self.g.program.print_sigs.len() as u32;
        self.g.program.print_sigs.push(sig);
        self.abc_x(Op::Print, base, args.len() as u8, 0, index);
    }
}
