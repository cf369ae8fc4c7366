//! Code generation for the embedding host (`syntax::host::HostDecls`): calls of host
//! functions (`CallHost`), and the `Program::host` tables: host function signatures, host
//! global slots and, with `export_all`, every top-level function compiled with its
//! concrete signature plus the type of every global.

use super::func::{FnBuilder, Reg};
use super::Gen;
use crate::bytecode::host::{Export, GlobalInfo, HostGlobal, HostSig};
use crate::bytecode::op::Op;
use crate::resolve::{BindingId, FnId, FnKind};
use crate::syntax::ast::Expr;
use crate::syntax::host::HostDecls;
use crate::types::ty::{type_name, Ty};

impl FnBuilder<'_, '_> {
    /// `name(args)` for host function `h`: arguments after the result register, like a
    /// native call.
    pub fn host_call(&mut self, h: u32, args: &[Expr], call: &Expr, dst: Reg) {
        let result = self.node_type(call.id);
        let a = self.alloc_for(&result);
        self.place_args(a, args.iter());
        self.abc_x(Op::CallHost, a, args.len() as u8, 0, h);
        self.finish_call(call, a, dst);
    }
}

impl Gen<'_> {
    /// Queues every non-generic top-level function and method (before the worklist runs),
    /// so the host can call functions the script itself never calls.
    pub(super) fn queue_exports(&mut self, host: &HostDecls) {
        if !host.export_all {
            return;
        }
        for (f, info) in self.res.functions.iter().enumerate() {
            let generic = self.typed.fn_sigs.get(f).is_none_or(|s| !s.generics.is_empty());
            if info.kind == FnKind::TopLevel && !generic {
                self.instance(f as FnId, Vec::new());
            }
        }
    }

    /// Fills `Program::host` once every function is compiled.
    pub(super) fn host_tables(&mut self, host: &HostDecls) {
        let table = &self.typed.table;
        let fn_types: Vec<Ty> = self.typed.host_fn_types.iter().map(|t| table.zonk(t)).collect();
        for t in &fn_types {
            let sig = match t {
                Ty::Func(params, ret) => {
                    HostSig { params: params.iter().map(|p| self.type_id(p)).collect(), ret: self.type_id(ret) }
                }
                _ => HostSig::default(),
            };
            self.program.host.fns.push(sig);
        }
        for b in self.res.host_globals.clone() {
            let ty = self.typed.table.zonk(&self.typed.binding_types[b as usize]);
            let ty = self.type_id(&ty);
            let slot = self.globals.get(&b).copied().unwrap_or(u16::MAX);
            self.program.host.globals.push(HostGlobal { slot, ty });
        }
        if !host.export_all {
            return;
        }
        self.exports();
        let mut globals: Vec<(u16, BindingId)> = self.globals.iter().map(|(b, slot)| (*slot, *b)).collect();
        globals.sort_by_key(|g| g.0);
        for (_, b) in globals {
            let t = concrete(&self.typed.table.zonk(&self.typed.binding_types[b as usize]));
            let ty = self.type_id(&t);
            let type_name = type_name(&t, &self.typed.table.adt_names);
            let info = self.res.binding(b);
            let (mutable, constant) = (info.mutable, info.constant);
            self.program.host.global_types.push(GlobalInfo { ty, type_name, mutable, constant });
        }
    }

    fn exports(&mut self) {
        let mut method_names = hashbrown::HashMap::new();
        for ((ty, name), f) in &self.res.methods {
            method_names.insert(*f, format!("{ty}.{name}"));
        }
        let mut instances: Vec<((FnId, Vec<Ty>), u32)> = self.instances.iter().map(|(k, v)| (k.clone(), *v)).collect();
        instances.sort_by_key(|(_, index)| *index);
        for ((f, args), index) in instances {
            let Some(info) = self.res.functions.get(f as usize) else { continue };
            let Some(sig) = self.typed.fn_sigs.get(f as usize) else { continue };
            if info.kind != FnKind::TopLevel {
                continue;
            }
            let subst: hashbrown::HashMap<_, _> = sig.generics.iter().copied().zip(args.iter().cloned()).collect();
            let table = &self.typed.table;
            let inst = |t: &Ty| concrete(&table.zonk(&crate::types::infer::substitute(table, t, &subst)));
            let params: Vec<Ty> = sig.params.iter().map(inst).collect();
            let ret = inst(&sig.ret);
            let signature = type_name(&Ty::Func(params.clone(), Box::new(ret.clone())), &table.adt_names);
            let name = method_names.get(&f).cloned().unwrap_or_else(|| info.name.clone());
            let generic = !args.is_empty();
            let sig = HostSig { params: params.iter().map(|p| self.type_id(p)).collect(), ret: self.type_id(&ret) };
            self.program.host.exports.push(Export { name, func: index, sig, signature, generic });
        }
    }
}

/// Type variables left in a signature become `i32`, as codegen treats them.
fn concrete(t: &Ty) -> Ty {
    match t {
        Ty::Var(_) | Ty::Unknown => Ty::I32,
        Ty::Array(e) => Ty::array(concrete(e)),
        Ty::Range(e) => Ty::Range(Box::new(concrete(e))),
        Ty::Func(ps, r) => Ty::Func(ps.iter().map(concrete).collect(), Box::new(concrete(r))),
        Ty::Adt(id, args) => Ty::Adt(*id, args.iter().map(concrete).collect()),
        Ty::Map(k, v) => Ty::Map(Box::new(concrete(k)), Box::new(concrete(v))),
        other => other.clone(),
    }
}
