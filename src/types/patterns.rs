//! `match` and `matches`: typing of patterns, and exhaustiveness / reachability by the
//! usefulness algorithm over a pattern matrix (enums and `bool` have finitely many
//! constructors; literals of other types never cover a type on their own).

use super::adt::{AdtKind, OPTION, RESULT};
use super::classes::{Class, ClassSet};
use super::infer::{BlockValue, Infer};
use super::ty::Ty;
use crate::diag::{codes, Diagnostic};
use crate::syntax::ast::*;

/// A pattern reduced to what exhaustiveness needs.
#[derive(Clone, Debug)]
enum Pat {
    Wild,
    /// Constructor `tag` with sub-patterns (enum variant, or bool with tag 0/1).
    Ctor(u32, Vec<Pat>),
    /// A literal or range: covers only itself.
    Lit(String),
}

/// A constructor of a finite type: tag, how it is written, payload types.
type Ctor = (u32, String, Vec<Ty>);

impl<'a> Infer<'a> {
    pub(super) fn match_expr(&mut self, e: &Expr, scrutinee: &Expr, arms: &[MatchArm], want_value: bool) -> Ty {
        match self.match_arms(e, scrutinee, arms, want_value) {
            BlockValue::Value(t) => t,
            _ => Ty::Void,
        }
    }

    pub(super) fn match_arms(&mut self, e: &Expr, scrutinee: &Expr, arms: &[MatchArm], want_value: bool) -> BlockValue {
        let st = self.expr(scrutinee);
        let mut result: Option<Ty> = None;
        let mut all_valued = want_value;
        let mut all_diverge = true;
        for arm in arms {
            self.pattern(&arm.pattern, &st, true);
            if let Some(g) = &arm.guard {
                self.condition(g);
            }
            match self.block(&arm.body, want_value) {
                BlockValue::Value(t) => {
                    all_diverge = false;
                    match &result {
                        Some(r) => {
                            let r = r.clone();
                            let span = arm.body.stmts.last().map(|s| s.span).unwrap_or(arm.span);
                            self.expect(&r, &t, span);
                        }
                        None => result = Some(t),
                    }
                }
                BlockValue::NoValue => {
                    all_diverge = false;
                    all_valued = false;
                }
                BlockValue::Diverges => {}
            }
        }
        self.check_exhaustive(e, &st, arms);
        match result {
            Some(t) if all_valued => {
                self.t.expr_types.insert(e.id, t.clone());
                BlockValue::Value(t)
            }
            _ if all_diverge && !arms.is_empty() => BlockValue::Diverges,
            _ => {
                self.t.expr_types.insert(e.id, Ty::Void);
                BlockValue::NoValue
            }
        }
    }

    /// Check pattern `p` against type `ty`, giving its bindings their types.
    pub(super) fn pattern(&mut self, p: &Pattern, ty: &Ty, allow_bindings: bool) {
        match &p.kind {
            PatternKind::Wildcard => {}
            PatternKind::Binding(n) if n.name == "None" => self.variant_pattern(p, OPTION, 1, None, ty, allow_bindings),
            PatternKind::Binding(n) => {
                if !allow_bindings {
                    self.error(Diagnostic::error(
                        codes::BINDING_IN_MATCHES,
                        format!("`{}` would bind a name here, which is not allowed", n.name),
                        n.span,
                        "use `_` instead",
                    ));
                    return;
                }
                if let Some(b) = self.res.decl(n) {
                    self.t.binding_types[b as usize] = ty.clone();
                }
            }
            PatternKind::Int(_) | PatternKind::Range { .. } => {
                let level = self.level;
                let lit = self.table().fresh_var(level, ClassSet::of(Class::Integer), true);
                self.expect(ty, &lit, p.span);
            }
            PatternKind::Float(_) => {
                self.expect(ty, &Ty::F64, p.span);
            }
            PatternKind::Str(_) => {
                self.expect(ty, &Ty::Str, p.span);
            }
            PatternKind::Bool(_) => {
                self.expect(ty, &Ty::Bool, p.span);
            }
            PatternKind::Or(alts) => {
                for a in alts {
                    self.pattern(a, ty, false);
                }
            }
            PatternKind::Variant { path, args } => {
                let Some((adt, tag)) = self.resolve_variant_path(path) else { return };
                self.variant_pattern(p, adt, tag, args.as_deref(), ty, allow_bindings);
            }
        }
    }

    fn resolve_variant_path(&mut self, path: &[Ident]) -> Option<(u32, u32)> {
        let names: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
        let last = path.last()?;
        let (adt, variant) = match names.as_slice() {
            ["Some"] => return Some((OPTION, 0)),
            ["None"] => return Some((OPTION, 1)),
            ["Ok"] => return Some((RESULT, 0)),
            ["Err"] => return Some((RESULT, 1)),
            [.., ty, v] => (self.t.adt_ids.get(*ty).copied(), *v),
            _ => (None, last.name.as_str()),
        };
        let Some(adt) = adt else {
            self.error(Diagnostic::error(
                codes::UNKNOWN_VARIANT,
                format!("unknown variant `{}`", names.join(".")),
                last.span,
                "no enum has this variant",
            ));
            return None;
        };
        match self.t.adts[adt as usize].variant(variant) {
            Some((tag, _)) => Some((adt, tag as u32)),
            None => {
                self.unknown_variant(adt, last);
                None
            }
        }
    }

    fn variant_pattern(&mut self, p: &Pattern, adt: u32, tag: u32, args: Option<&[Pattern]>, ty: &Ty, allow: bool) {
        let targs = self.fresh_args(adt);
        self.expect(ty, &Ty::Adt(adt, targs.clone()), p.span);
        self.t.pattern_tags.insert(p.id, (adt, tag));
        let fields = match &self.t.adts[adt as usize].kind {
            AdtKind::Enum(vs) => vs.get(tag as usize).map(|v| v.fields.clone()).unwrap_or_default(),
            AdtKind::Struct(_) => Vec::new(),
        };
        let args = args.unwrap_or(&[]);
        if args.len() != fields.len() {
            self.error(Diagnostic::error(
                codes::PAYLOAD_ARITY,
                format!("this variant carries {} value(s) but the pattern has {}", fields.len(), args.len()),
                p.span,
                "wrong number of sub-patterns",
            ));
            return;
        }
        for (a, f) in args.iter().zip(&fields) {
            let ft = self.instantiate_in(adt, &targs, f);
            self.pattern(a, &ft, allow);
        }
    }

    // ---- exhaustiveness ----

    fn check_exhaustive(&mut self, e: &Expr, st: &Ty, arms: &[MatchArm]) {
        let st = self.t.table.zonk(st);
        if st == Ty::Unknown || arms.iter().any(|a| self.pattern_failed(&a.pattern)) {
            return; // the scrutinee or a pattern already failed to check
        }
        let mut rows: Vec<Vec<Pat>> = Vec::new();
        let mut ranges: Vec<(i128, i128)> = Vec::new();
        for arm in arms {
            let alts = self.lower(&arm.pattern);
            let useful = alts.iter().any(|p| self.useful(&rows, std::slice::from_ref(p), std::slice::from_ref(&st)))
                && !covered_by_ranges(&arm.pattern, &ranges);
            if arm.guard.is_none() {
                ranges.extend(int_ranges(&arm.pattern));
            }
            if !useful {
                self.diags.push(Diagnostic::warning(
                    codes::UNREACHABLE_ARM,
                    "unreachable match arm",
                    arm.pattern.span,
                    "earlier arms already match every value this one could",
                ));
            }
            if arm.guard.is_none() {
                rows.extend(alts.into_iter().map(|p| vec![p]));
            }
        }
        if let Some(w) = self.witness(&rows, std::slice::from_ref(&st)) {
            let missing = w.into_iter().next().unwrap_or_else(|| "_".to_string());
            let d = Diagnostic::error(
                codes::NON_EXHAUSTIVE,
                format!("non-exhaustive match: `{missing}` is not covered"),
                e.span,
                format!("pattern `{missing}` not covered"),
            );
            let d = if matches!(st, Ty::Adt(..) | Ty::Bool) {
                d.with_help(format!("add an arm for `{missing}`, or a `_` arm"))
            } else {
                d.with_help("matching on numbers or strings needs a `_` (or binding) arm")
            };
            self.error(d);
        }
    }

    /// A variant pattern that did not resolve (already reported): the match's coverage is
    /// unknown, so it gets no reachability or exhaustiveness diagnostics.
    fn pattern_failed(&self, p: &Pattern) -> bool {
        match &p.kind {
            PatternKind::Variant { args, .. } => {
                !self.t.pattern_tags.contains_key(&p.id) || args.iter().flatten().any(|a| self.pattern_failed(a))
            }
            PatternKind::Or(alts) => alts.iter().any(|a| self.pattern_failed(a)),
            _ => false,
        }
    }

    fn lower(&self, p: &Pattern) -> Vec<Pat> {
        match &p.kind {
            PatternKind::Wildcard => vec![Pat::Wild],
            PatternKind::Binding(n) if n.name == "None" => vec![Pat::Ctor(1, Vec::new())],
            PatternKind::Binding(_) => vec![Pat::Wild],
            PatternKind::Bool(b) => vec![Pat::Ctor(u32::from(*b), Vec::new())],
            PatternKind::Int(v) => vec![Pat::Lit(format!("i{v}"))],
            PatternKind::Float(f) => vec![Pat::Lit(format!("f{f}"))],
            PatternKind::Str(s) => vec![Pat::Lit(format!("s{s}"))],
            PatternKind::Range { lo, hi, inclusive } => vec![Pat::Lit(format!("r{lo}..{hi}{inclusive}"))],
            PatternKind::Or(alts) => alts.iter().flat_map(|a| self.lower(a)).collect(),
            PatternKind::Variant { args, .. } => {
                let Some((_, tag)) = self.t.pattern_tags.get(&p.id).copied() else { return vec![Pat::Wild] };
                let subs: Vec<Vec<Pat>> = args.iter().flatten().map(|a| self.lower(a)).collect();
                // Alternatives inside payloads multiply out.
                let mut out: Vec<Vec<Pat>> = vec![Vec::new()];
                for alts in subs {
                    out = out
                        .into_iter()
                        .flat_map(|pre| alts.iter().map(move |a| [pre.clone(), vec![a.clone()]].concat()))
                        .collect();
                }
                out.into_iter().map(|s| Pat::Ctor(tag, s)).collect()
            }
        }
    }

    /// Constructors of a type — `None` when it has infinitely many values.
    fn ctors(&self, t: &Ty) -> Option<Vec<Ctor>> {
        match t {
            Ty::Bool => Some(vec![(0, "false".into(), vec![]), (1, "true".into(), vec![])]),
            Ty::Adt(id, args) => match &self.t.adts.get(*id as usize)?.kind {
                AdtKind::Enum(vs) => {
                    let qualify = *id != OPTION && *id != RESULT;
                    let name = &self.t.adts[*id as usize].name;
                    Some(
                        vs.iter()
                            .enumerate()
                            .map(|(i, v)| {
                                let shown = if qualify { format!("{name}.{}", v.name) } else { v.name.clone() };
                                let fields = v
                                    .fields
                                    .iter()
                                    .map(|f| self.t.table.zonk(&self.instantiate_in(*id, args, f)))
                                    .collect();
                                (i as u32, shown, fields)
                            })
                            .collect(),
                    )
                }
                AdtKind::Struct(_) => None,
            },
            _ => None,
        }
    }

    fn useful(&self, rows: &[Vec<Pat>], q: &[Pat], tys: &[Ty]) -> bool {
        let Some((head, rest)) = q.split_first() else { return rows.is_empty() };
        let (t, trest) = match tys.split_first() {
            Some((t, r)) => (t.clone(), r),
            None => (Ty::Unknown, &[][..]),
        };
        match head {
            Pat::Ctor(tag, subs) => {
                let fields = self.ctor_fields(&t, *tag, subs.len());
                let rows2 = specialize(rows, *tag, subs.len());
                let q2 = [subs.clone(), rest.to_vec()].concat();
                self.useful(&rows2, &q2, &[fields, trest.to_vec()].concat())
            }
            Pat::Lit(k) => {
                let rows2: Vec<Vec<Pat>> = rows
                    .iter()
                    .filter_map(|r| match r.first() {
                        Some(Pat::Wild) => Some(r[1..].to_vec()),
                        Some(Pat::Lit(j)) if j == k => Some(r[1..].to_vec()),
                        _ => None,
                    })
                    .collect();
                self.useful(&rows2, rest, trest)
            }
            Pat::Wild => match self.complete_ctors(rows, &t) {
                Some(ctors) => ctors.iter().any(|(tag, _, fields)| {
                    let rows2 = specialize(rows, *tag, fields.len());
                    let q2 = [vec![Pat::Wild; fields.len()], rest.to_vec()].concat();
                    self.useful(&rows2, &q2, &[fields.clone(), trest.to_vec()].concat())
                }),
                None => self.useful(&default_rows(rows), rest, trest),
            },
        }
    }

    /// Pattern texts (one per column) of a value matched by no row, if there is one.
    fn witness(&self, rows: &[Vec<Pat>], tys: &[Ty]) -> Option<Vec<String>> {
        let Some((t, trest)) = tys.split_first() else { return rows.is_empty().then(Vec::new) };
        if let Some(ctors) = self.complete_ctors(rows, t) {
            for (tag, name, fields) in ctors {
                let rows2 = specialize(rows, tag, fields.len());
                if let Some(w) = self.witness(&rows2, &[fields.clone(), trest.to_vec()].concat()) {
                    let (sub, rest) = w.split_at(fields.len().min(w.len()));
                    let shown = if fields.is_empty() { name } else { format!("{name}({})", sub.join(", ")) };
                    return Some([vec![shown], rest.to_vec()].concat());
                }
            }
            return None;
        }
        let w = self.witness(&default_rows(rows), trest)?;
        let used: Vec<u32> = rows
            .iter()
            .filter_map(|r| match r.first() {
                Some(Pat::Ctor(tag, _)) => Some(*tag),
                _ => None,
            })
            .collect();
        let head = self
            .ctors(t)
            .and_then(|all| all.into_iter().find(|(tag, _, _)| !used.contains(tag)))
            .map(
                |(_, name, fields)| {
                    if fields.is_empty() {
                        name
                    } else {
                        format!("{name}({})", vec!["_"; fields.len()].join(", "))
                    }
                },
            )
            .unwrap_or_else(|| "_".to_string());
        Some([vec![head], w].concat())
    }

    /// The constructors of `t` when every one of them appears in the first column.
    fn complete_ctors(&self, rows: &[Vec<Pat>], t: &Ty) -> Option<Vec<Ctor>> {
        let all = self.ctors(t)?;
        let complete =
            all.iter().all(|(tag, _, _)| rows.iter().any(|r| matches!(r.first(), Some(Pat::Ctor(x, _)) if x == tag)));
        complete.then_some(all)
    }

    fn ctor_fields(&self, t: &Ty, tag: u32, arity: usize) -> Vec<Ty> {
        self.ctors(t)
            .and_then(|cs| cs.into_iter().find(|(x, _, _)| *x == tag).map(|(_, _, f)| f))
            .unwrap_or_else(|| vec![Ty::Unknown; arity])
    }
}

fn specialize(rows: &[Vec<Pat>], tag: u32, arity: usize) -> Vec<Vec<Pat>> {
    rows.iter()
        .filter_map(|r| match r.first() {
            Some(Pat::Wild) => Some([vec![Pat::Wild; arity], r[1..].to_vec()].concat()),
            Some(Pat::Ctor(t, subs)) if *t == tag => Some([subs.clone(), r[1..].to_vec()].concat()),
            _ => None,
        })
        .collect()
}

fn default_rows(rows: &[Vec<Pat>]) -> Vec<Vec<Pat>> {
    rows.iter().filter(|r| matches!(r.first(), Some(Pat::Wild))).map(|r| r[1..].to_vec()).collect()
}

/// The inclusive integer intervals a top-level literal or range pattern covers.
fn int_ranges(p: &Pattern) -> Vec<(i128, i128)> {
    match &p.kind {
        PatternKind::Int(v) => vec![(*v, *v)],
        PatternKind::Range { lo, hi, inclusive } => {
            let hi = if *inclusive { *hi } else { hi.saturating_sub(1) };
            if lo <= &hi {
                vec![(*lo, hi)]
            } else {
                Vec::new()
            }
        }
        PatternKind::Or(alts) => alts.iter().flat_map(int_ranges).collect(),
        _ => Vec::new(),
    }
}

/// Whether every integer a literal/range pattern matches is matched by earlier intervals
/// (the usefulness check treats literals as opaque, so `5` after `0..=9` needs this).
fn covered_by_ranges(p: &Pattern, earlier: &[(i128, i128)]) -> bool {
    let mine = int_ranges(p);
    if mine.is_empty() || earlier.is_empty() {
        return false;
    }
    let mut sorted = earlier.to_vec();
    sorted.sort_unstable();
    mine.iter().all(|&(lo, hi)| {
        let mut next = lo;
        for &(a, b) in &sorted {
            if a > next {
                break;
            }
            if b >= next {
                if b >= hi {
                    return true;
                }
                next = b + 1;
            }
        }
        false
    })
}
