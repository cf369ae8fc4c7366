//! Structs and enums: literals (fields evaluated in source order into their declaration
//! slots, defaults filled in), variant construction, the prelude methods of
//! `Option`/`Result` inlined on the tag, and `match`/`matches` compiled to tests on tags
//! and values that fall through to the next arm.

use super::func::{FnBuilder, Reg};
use crate::bytecode::op::Op;
use crate::syntax::ast::*;
use crate::types::adt::{AdtKind, OPTION};
use crate::types::ty::Ty;

impl<'g, 'a> FnBuilder<'g, 'a> {
    pub fn struct_lit(&mut self, e: &Expr, path: &[Ident], fields: &[FieldInit], dst: Reg) {
        let t = self.node_type(e.id);
        let Ty::Adt(adt, _) = &t else { return };
        let Some(def) = self.g.typed.adts.get(*adt as usize) else { return };
        let AdtKind::Struct(defs) = &def.kind else { return };
        let names: Vec<String> = defs.iter().map(|d| d.name.clone()).collect();
        let slot_tys = self.g.slot_types(&t, None);
        let base = self.alloc_n(names.len().max(1));
        for (i, ty) in slot_tys.iter().enumerate() {
            self.set_kind_for(base + i as u8, ty);
        }
        for f in fields {
            if let Some(i) = names.iter().position(|n| *n == f.name.name) {
                self.expr_into(&f.value, base + i as u8);
            }
        }
        let decl = path.last().and_then(|n| self.g.struct_decls.get(&n.name).copied());
        // Errors in a default value are reported at the literal, not at the declaration.
        let line = self.line;
        if let Some(decl) = decl {
            for (i, fd) in decl.fields.iter().enumerate() {
                if let (Some(default), false) = (&fd.default, fields.iter().any(|f| f.name.name == fd.name.name)) {
                    self.expr_into(default, base + i as u8);
                }
            }
        }
        self.line = line;
        let tid = self.g.type_id(&t);
        self.abc_x(Op::NewStruct, dst, base, names.len() as u8, tid as u32);
    }

    /// Build variant `tag` of enum type `t` from `args` into `dst`.
    pub fn enum_value(&mut self, t: &Ty, tag: u32, args: &[&Expr], dst: Reg) {
        let payload = self.g.slot_types(t, Some(tag));
        let base = self.alloc_n(args.len().max(1));
        for (i, (a, ty)) in args.iter().zip(payload.iter()).enumerate() {
            self.set_kind_for(base + i as u8, ty);
            self.expr_into(a, base + i as u8);
        }
        let tid = self.g.type_id(t) as u32;
        self.abc_x(Op::NewEnum, dst, base, args.len() as u8, tid | tag << 16);
    }

    /// `recv.method(args)` for `Option`/`Result`, inlined on the variant tag (0 = Some/Ok).
    pub fn enum_method(&mut self, method: &str, recv: &Expr, args: &[Expr], call: &Expr, dst: Reg) {
        let rt = self.node_type(recv.id);
        let v = self.expr_reg(recv);
        let tag = self.alloc(false);
        self.abc(Op::EnumTag, tag, v, 0);
        let k = self.alloc(false);
        match method {
            "is_some" | "is_ok" | "is_none" | "is_err" => {
                self.load_int(k, i64::from(matches!(method, "is_none" | "is_err")));
                self.abc(Op::Eq, dst, tag, k);
            }
            "unwrap" => {
                let ok = self.jump_if_tag(tag, 0, true, k);
                let msg = self.alloc(true);
                let text = if matches!(&rt, Ty::Adt(id, _) if *id == OPTION) {
                    "called unwrap() on None"
                } else {
                    "called unwrap() on an Err value"
                };
                self.load_str(msg, text);
                self.abc(Op::Panic, msg, 0, 1);
                self.patch_to_here(ok);
                self.abc(Op::GetField, dst, v, 0);
            }
            "unwrap_or" => {
                let other = self.jump_if_tag(tag, 0, false, k);
                self.abc(Op::GetField, dst, v, 0);
                let end = self.jump(Op::Jmp, 0);
                self.patch_to_here(other);
                if let Some(d) = args.first() {
                    self.expr_into(d, dst);
                }
                self.patch_to_here(end);
            }
            "map" | "map_err" => self.enum_map(method == "map_err", v, tag, k, &rt, args, call, dst),
            _ => {}
        }
    }

    /// `map`/`map_err`: apply the closure to the payload of variant 0 (or 1), else keep
    /// the value as it is.
    #[allow(clippy::too_many_arguments)]
    fn enum_map(&mut self, errors: bool, v: Reg, tag: Reg, k: Reg, rt: &Ty, args: &[Expr], call: &Expr, dst: Reg) {
        let mapped_tag = u32::from(errors);
        self.load_int(k, i64::from(mapped_tag));
        self.abc(Op::Eq, k, tag, k);
        let keep = self.jump(Op::JmpIfNot, k);
        let out_ty = self.node_type(call.id);
        let a = self.alloc(true);
        if let Some(f) = args.first() {
            self.expr_into(f, a);
        }
        let x = self.alloc(false);
        if let Some(pt) = self.g.slot_types(rt, Some(mapped_tag)).first() {
            self.set_kind_for(x, pt);
        }
        self.abc(Op::GetField, x, v, 0);
        self.abc(Op::Call, a, 1, 0);
        self.free_to(a as usize + 1);
        if let Some(pt) = self.g.slot_types(&out_ty, Some(mapped_tag)).first() {
            self.set_kind_for(a, pt);
        }
        let tid = self.g.type_id(&out_ty) as u32;
        self.abc_x(Op::NewEnum, dst, a, 1, tid | mapped_tag << 16);
        let end = self.jump(Op::Jmp, 0);
        self.patch_to_here(keep);
        self.mov(dst, v);
        self.patch_to_here(end);
    }

    /// `match` as a statement (`dst` = None) or a value.
    pub fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], dst: Option<Reg>) {
        let st = self.node_type(scrutinee.id);
        let s = self.alloc_for(&st);
        self.expr_into(scrutinee, s);
        // On an enum, one `Switch` on the tag jumps straight to the first arm that can match
        // that variant; each arm still checks its own pattern, so falling through to the
        // next arm (failed guard or sub-pattern) stays correct.
        let variants = self.variant_count(&st);
        let table = variants.map(|n| {
            let t = self.alloc(false);
            self.abc(Op::EnumTag, t, s, 0);
            (self.switch(t, n), n)
        });
        let mut starts = Vec::new();
        let mut entries = Vec::new();
        let mut ends = Vec::new();
        for arm in arms {
            starts.push(self.pc());
            let mark = self.mark();
            let mut fail = Vec::new();
            self.after_tag = None;
            self.pattern_test(&arm.pattern, s, &st, &mut fail);
            // An arm whose whole pattern is one variant: the switch enters it past its tag
            // check (the switch only sends that variant there).
            let entry = match (&arm.pattern.kind, self.after_tag) {
                (PatternKind::Variant { .. }, Some(after)) if self.optimizing() => after,
                _ => starts[starts.len() - 1],
            };
            entries.push(entry);
            if let Some(g) = &arm.guard {
                let c = self.expr_reg(g);
                fail.push(self.jump(Op::JmpIfNot, c));
            }
            match dst {
                Some(d) => self.block_value(&arm.body, d),
                None => self.block(&arm.body),
            }
            ends.push(self.jump(Op::Jmp, 0));
            for f in fail {
                self.patch_to_here(f);
            }
            self.free_to(mark);
        }
        let after = self.pc();
        if let Some((table, n)) = table {
            for tag in 0..n as u32 {
                let arm = arms.iter().position(|a| self.top_pattern_covers(&a.pattern, tag));
                let target = arm.and_then(|i| entries.get(i).copied()).unwrap_or(after);
                self.set_switch(table, tag as usize, target);
            }
        }
        for e in ends {
            self.patch_to_here(e);
        }
    }

    fn variant_count(&self, t: &Ty) -> Option<usize> {
        let Ty::Adt(id, _) = t else { return None };
        match &self.g.typed.adts.get(*id as usize)?.kind {
            AdtKind::Enum(vs) => Some(vs.len()),
            AdtKind::Struct(_) => None,
        }
    }

    /// Whether `p`, as an arm's whole pattern, can match a value of variant `tag`.
    fn top_pattern_covers(&self, p: &Pattern, tag: u32) -> bool {
        match &p.kind {
            PatternKind::Wildcard => true,
            PatternKind::Binding(n) if n.name == "None" => tag == 1,
            PatternKind::Binding(_) => true,
            PatternKind::Variant { .. } => self.g.typed.pattern_tags.get(&p.id).is_some_and(|(_, t)| *t == tag),
            PatternKind::Or(alts) => alts.iter().any(|a| self.top_pattern_covers(a, tag)),
            _ => false,
        }
    }

    /// `value matches pattern` into `dst` (a bool).
    pub fn matches_expr(&mut self, value: &Expr, pattern: &Pattern, dst: Reg) {
        let vt = self.node_type(value.id);
        let v = self.expr_reg(value);
        let mut fail = Vec::new();
        self.pattern_test(pattern, v, &vt, &mut fail);
        self.load_int(dst, 1);
        let end = self.jump(Op::Jmp, 0);
        for f in fail {
            self.patch_to_here(f);
        }
        self.load_int(dst, 0);
        self.patch_to_here(end);
    }

    /// Emit code that jumps (via `fail`) when the value in `v` (of type `ty`) does not
    /// match `p`, binding the pattern's names to registers as it goes.
    fn pattern_test(&mut self, p: &Pattern, v: Reg, ty: &Ty, fail: &mut Vec<usize>) {
        match &p.kind {
            PatternKind::Wildcard => {}
            PatternKind::Binding(n) if n.name == "None" => self.tag_test(p, v, ty, None, fail),
            PatternKind::Binding(n) => {
                if let Some(b) = self.g.res.decl(n) {
                    self.locals.insert(b, v);
                }
            }
            PatternKind::Int(i) => {
                let k = self.alloc(false);
                match ty {
                    Ty::F64 => self.load_bits(k, (*i as f64).to_bits()),
                    _ => self.load_bits(k, *i as i64 as u64),
                }
                let eq = if *ty == Ty::F64 { Op::EqF64 } else { Op::Eq };
                self.abc(eq, k, v, k);
                fail.push(self.jump(Op::JmpIfNot, k));
            }
            PatternKind::Float(f) => {
                let k = self.alloc(false);
                self.load_bits(k, f.to_bits());
                self.abc(Op::EqF64, k, v, k);
                fail.push(self.jump(Op::JmpIfNot, k));
            }
            PatternKind::Str(s) => {
                let k = self.alloc(true);
                self.load_str(k, s);
                self.abc(Op::EqStr, k, v, k);
                self.set_kind(k, false);
                fail.push(self.jump(Op::JmpIfNot, k));
            }
            PatternKind::Bool(b) => {
                let k = self.alloc(false);
                self.load_int(k, i64::from(*b));
                self.abc(Op::Eq, k, v, k);
                fail.push(self.jump(Op::JmpIfNot, k));
            }
            PatternKind::Range { lo, hi, inclusive } => {
                let unsigned = matches!(ty, Ty::U32 | Ty::U64);
                let le = if unsigned { Op::LeU } else { Op::LeS };
                let lt = if unsigned { Op::LtU } else { Op::LtS };
                let k = self.alloc(false);
                self.load_bits(k, *lo as i64 as u64);
                self.abc(le, k, k, v);
                fail.push(self.jump(Op::JmpIfNot, k));
                self.load_bits(k, *hi as i64 as u64);
                self.abc(if *inclusive { le } else { lt }, k, v, k);
                fail.push(self.jump(Op::JmpIfNot, k));
            }
            PatternKind::Or(alts) => {
                let mut ok = Vec::new();
                for (i, alt) in alts.iter().enumerate() {
                    if i + 1 == alts.len() {
                        self.pattern_test(alt, v, ty, fail);
                    } else {
                        let mut alt_fail = Vec::new();
                        self.pattern_test(alt, v, ty, &mut alt_fail);
                        ok.push(self.jump(Op::Jmp, 0));
                        for f in alt_fail {
                            self.patch_to_here(f);
                        }
                    }
                }
                for j in ok {
                    self.patch_to_here(j);
                }
            }
            PatternKind::Variant { args, .. } => self.tag_test(p, v, ty, args.as_deref(), fail),
        }
    }

    fn tag_test(&mut self, p: &Pattern, v: Reg, ty: &Ty, args: Option<&[Pattern]>, fail: &mut Vec<usize>) {
        let Some((_, tag)) = self.g.typed.pattern_tags.get(&p.id).copied() else { return };
        let t = self.alloc(false);
        self.abc(Op::EnumTag, t, v, 0);
        let k = self.alloc(false);
        match i16::try_from(tag) {
            Ok(tag) => fail.push(self.jump_if_tag(t, tag, false, k)),
            Err(_) => {
                self.load_int(k, i64::from(tag));
                self.abc(Op::Eq, t, t, k);
                fail.push(self.jump(Op::JmpIfNot, t));
            }
        }
        // a `Switch` on the tag may enter the arm here, the tag being known (only the
        // outermost check counts: nested patterns come after it)
        if self.after_tag.is_none() {
            self.after_tag = Some(self.pc());
        }
        let payload = self.g.slot_types(ty, Some(tag));
        for (i, (sub, pt)) in args.unwrap_or(&[]).iter().zip(payload.iter()).enumerate() {
            if matches!(sub.kind, PatternKind::Wildcard) {
                continue;
            }
            let r = self.alloc_for(pt);
            self.abc(Op::GetField, r, v, i as u8);
            self.pattern_test(sub, r, pt, fail);
        }
    }
}
