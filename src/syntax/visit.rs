//! A read-only walk over every expression of a block (nested blocks, lambdas and match arms
//! included), for passes that only need to look at expressions. Iterative over statements;
//! recursion depth is bounded by the parser's nesting limit.

use super::ast::*;

pub fn each_expr_in_block(b: &Block, f: &mut dyn FnMut(&Expr)) {
    for s in &b.stmts {
        each_expr_in_stmt(s, f);
    }
}

pub fn each_expr_in_stmt(s: &Stmt, f: &mut dyn FnMut(&Expr)) {
    match &s.kind {
        StmtKind::Expr(e) | StmtKind::Decl { value: e, .. } | StmtKind::Const { value: e, .. } => each_expr(e, f),
        StmtKind::Assign { targets, value } => {
            targets.iter().for_each(|t| each_expr(t, f));
            each_expr(value, f);
        }
        StmtKind::CompoundAssign { target, value, .. } => {
            each_expr(target, f);
            each_expr(value, f);
        }
        StmtKind::While { cond, body, .. } => {
            each_expr(cond, f);
            each_expr_in_block(body, f);
        }
        StmtKind::For { iter, body, .. } => {
            each_expr(iter, f);
            each_expr_in_block(body, f);
        }
        StmtKind::Return(Some(e)) => each_expr(e, f),
        StmtKind::Try { body, handler, .. } => {
            each_expr_in_block(body, f);
            each_expr_in_block(handler, f);
        }
        StmtKind::Fn(d) => each_expr_in_block(&d.body, f),
        StmtKind::Impl(i) => i.methods.iter().for_each(|m| each_expr_in_block(&m.body, f)),
        _ => {}
    }
}

pub fn each_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Unary { operand, .. } => each_expr(operand, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            each_expr(lhs, f);
            each_expr(rhs, f);
        }
        ExprKind::Cond { cond, then, otherwise } => {
            each_expr(then, f);
            each_expr(cond, f);
            each_expr(otherwise, f);
        }
        ExprKind::Call { callee, args, .. } => {
            each_expr(callee, f);
            args.iter().for_each(|a| each_expr(a, f));
        }
        ExprKind::Index { base, index } => {
            each_expr(base, f);
            each_expr(index, f);
        }
        ExprKind::Slice { base, start, end } => {
            each_expr(base, f);
            start.iter().chain(end.iter()).for_each(|x| each_expr(x, f));
        }
        ExprKind::Field { base, .. } => each_expr(base, f),
        ExprKind::StructLit { fields, .. } => fields.iter().for_each(|x| each_expr(&x.value, f)),
        ExprKind::Array(items) => items.iter().for_each(|x| each_expr(x, f)),
        ExprKind::ArrayFill { value, count } => {
            each_expr(value, f);
            each_expr(count, f);
        }
        ExprKind::Range { start, end, step, .. } => {
            each_expr(start, f);
            each_expr(end, f);
            step.iter().for_each(|x| each_expr(x, f));
        }
        ExprKind::Lambda(d) => each_expr_in_block(&d.body, f),
        ExprKind::If { branches, otherwise } => {
            for (c, b) in branches {
                each_expr(c, f);
                each_expr_in_block(b, f);
            }
            otherwise.iter().for_each(|b| each_expr_in_block(b, f));
        }
        ExprKind::Match { scrutinee, arms } => {
            each_expr(scrutinee, f);
            for arm in arms {
                arm.guard.iter().for_each(|g| each_expr(g, f));
                each_expr_in_block(&arm.body, f);
            }
        }
        ExprKind::Matches { value, .. } | ExprKind::Cast { value, .. } => each_expr(value, f),
        _ => {}
    }
}

/// Every function declaration (top-level, nested, lambda, method) reachable from `stmts`.
pub fn each_fn_decl<'a>(stmts: &'a [Stmt], f: &mut dyn FnMut(&'a FnDecl)) {
    for s in stmts {
        match &s.kind {
            StmtKind::Fn(d) => {
                f(d);
                each_fn_decl(&d.body.stmts, f);
            }
            StmtKind::Impl(i) => {
                for m in &i.methods {
                    f(m);
                    each_fn_decl(&m.body.stmts, f);
                }
            }
            _ => {}
        }
    }
}
