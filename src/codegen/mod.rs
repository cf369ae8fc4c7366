//! Code generation with monomorphization: starting from the module's top-level code, a
//! worklist of (top-level function, concrete type arguments) is compiled, each key once,
//! into type-specialized register bytecode. Nested functions and lambdas are compiled with
//! their enclosing instantiation's substitution.
//!
//! May import: `syntax`, `resolve`, `types`, `bytecode`, `diag`.

mod builtins;
mod data;
mod expr;
mod func;
mod host;
mod opt;
mod stmt;

use crate::bytecode::chunk::{Constant, Function, Global, Program, RtType, TypeId};
use crate::diag::{codes, Diagnostic};
use crate::resolve::{BindingId, FnId, Resolution, MODULE_INIT};
use crate::syntax::ast::*;
use crate::syntax::host::HostDecls;
use crate::syntax::span::{LineIndex, Span};
use crate::types::adt::AdtKind;
use crate::types::ty::{runtime_type_name, type_name, TvId, Ty};
use crate::types::Typed;
use func::FnBuilder;
use hashbrown::HashMap;
use std::collections::VecDeque;

/// Everything shared while generating one program.
pub(crate) struct Gen<'a> {
    res: &'a Resolution,
    typed: &'a Typed,
    /// Line tables of the source files, by file id.
    lines: &'a [LineIndex],
    program: Program,
    constants: HashMap<ConstKey, u16>,
    types: HashMap<RtType, TypeId>,
    adt_types: HashMap<Ty, TypeId>,
    globals: HashMap<BindingId, u16>,
    instances: HashMap<(FnId, Vec<Ty>), u32>,
    queue: VecDeque<(FnId, Vec<Ty>, u32)>,
    decls: HashMap<FnId, &'a FnDecl>,
    /// Struct declarations by name, for default field values.
    pub(crate) struct_decls: HashMap<String, &'a StructDecl>,
    diags: Vec<Diagnostic>,
    pub(crate) options: Options,
}

/// Code generation switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Use the specialized instruction forms (immediates, fused compare-and-branch, direct
    /// writes to destination registers; see `opt.rs`). Off, codegen emits only the simple
    /// generic forms; `tests/unoptimized.rs` checks both modes print the same on every
    /// golden program.
    pub optimize: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { optimize: true }
    }
}

impl Options {
    /// The default, except that `ORUS_UNOPTIMIZED=1` in the environment selects the simple
    /// mode (as `ORUS_GC_STRESS=1` selects the collector's stress mode).
    pub fn from_env() -> Options {
        Options { optimize: std::env::var("ORUS_UNOPTIMIZED").map_or(true, |v| v != "1") }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum ConstKey {
    Bits(u64),
    Str(String),
}

/// Compile a checked module into a program. Fails only on limits (too many registers,
/// jumps or constants), with diagnostics. Uses `Options::from_env()`.
pub fn generate<'a>(
    module: &'a Module,
    res: &'a Resolution,
    typed: &'a Typed,
    lines: &'a [LineIndex],
    file_names: Vec<String>,
) -> Result<Program, Vec<Diagnostic>> {
    generate_with(module, res, typed, lines, file_names, &HostDecls::default(), Options::from_env())
}

/// `generate` for a module checked with an embedding host's declarations (see
/// `codegen/host.rs`).
pub fn generate_host<'a>(
    module: &'a Module,
    res: &'a Resolution,
    typed: &'a Typed,
    lines: &'a [LineIndex],
    file_names: Vec<String>,
    host: &HostDecls,
) -> Result<Program, Vec<Diagnostic>> {
    generate_with(module, res, typed, lines, file_names, host, Options::from_env())
}

/// `generate` with explicit host declarations and options.
pub fn generate_with<'a>(
    module: &'a Module,
    res: &'a Resolution,
    typed: &'a Typed,
    lines: &'a [LineIndex],
    file_names: Vec<String>,
    host: &HostDecls,
    options: Options,
) -> Result<Program, Vec<Diagnostic>> {
    let mut decls = HashMap::new();
    crate::syntax::visit::each_fn_decl(&module.stmts, &mut |d: &FnDecl| {
        if let Some(id) = res.fn_ids.get(&d.span) {
            decls.insert(*id, d);
        }
    });
    let mut g = Gen {
        res,
        typed,
        lines,
        program: Program { files: file_names, ..Program::default() },
        constants: HashMap::new(),
        types: HashMap::new(),
        adt_types: HashMap::new(),
        globals: HashMap::new(),
        instances: HashMap::new(),
        queue: VecDeque::new(),
        decls,
        struct_decls: module
            .stmts
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Struct(d) => Some((d.name.name.clone(), d)),
                _ => None,
            })
            .collect(),
        diags: Vec::new(),
        options,
    };
    g.type_id(&Ty::Void);
    g.assign_globals();
    g.program.entry = g.reserve_function();
    let entry = g.entry_function(module);
    g.install(g.program.entry, entry);
    g.queue_exports(host);
    while let Some((f, args, index)) = g.queue.pop_front() {
        let function = g.instance_function(f, &args);
        g.install(index, function);
    }
    g.host_tables(host);
    if g.diags.is_empty() {
        Ok(g.program)
    } else {
        Err(g.diags)
    }
}

impl<'a> Gen<'a> {
    /// The 1-based line of `span` in its file.
    pub(crate) fn line_of(&self, span: Span) -> u32 {
        self.lines.get(span.file as usize).map(|l| l.line(span.start)).unwrap_or(1)
    }

    fn assign_globals(&mut self) {
        for (i, b) in self.res.bindings.iter().enumerate() {
            if b.global {
                let slot = self.program.globals.len() as u16;
                let is_ref = self.is_ref(&self.typed.table.zonk(&self.typed.binding_types[i]));
                self.program.globals.push(Global { name: b.name.clone(), is_ref });
                self.globals.insert(i as BindingId, slot);
            }
        }
    }

    fn reserve_function(&mut self) -> u32 {
        self.program.functions.push(Function::default());
        self.program.functions.len() as u32 - 1
    }

    fn install(&mut self, index: u32, f: Function) {
        if let Some(slot) = self.program.functions.get_mut(index as usize) {
            *slot = f;
        }
    }

    /// The function index of top-level function `f` at concrete type arguments `args`,
    /// queueing it for compilation the first time.
    pub(crate) fn instance(&mut self, f: FnId, args: Vec<Ty>) -> u32 {
        if let Some(i) = self.instances.get(&(f, args.clone())) {
            return *i;
        }
        let index = self.reserve_function();
        self.instances.insert((f, args.clone()), index);
        self.queue.push_back((f, args, index));
        index
    }

    fn instance_function(&mut self, f: FnId, args: &[Ty]) -> Function {
        let sig = &self.typed.fn_sigs[f as usize];
        let subst: HashMap<TvId, Ty> = sig.generics.iter().copied().zip(args.iter().cloned()).collect();
        let info = self.res.function(f);
        let name = if args.is_empty() {
            info.name.clone()
        } else {
            {
                let names = &self.typed.table.adt_names;
                format!("{}<{}>", info.name, args.iter().map(|a| type_name(a, names)).collect::<Vec<_>>().join(", "))
            }
        };
        let Some(decl) = self.decls.get(&f).copied() else {
            return Function { name, ..Function::default() };
        };
        let mut b = FnBuilder::new(self, f, name, subst, decl.span);
        b.function_body(decl);
        b.finish()
    }

    /// The module's top-level code: constants, then statements, then `main`.
    fn entry_function(&mut self, module: &Module) -> Function {
        let mut b = FnBuilder::new(self, MODULE_INIT, "<top level>".to_string(), HashMap::new(), Span::default());
        b.entry_body(module);
        b.finish()
    }

    pub(crate) fn constant(&mut self, c: Constant) -> u16 {
        let key = match &c {
            Constant::Bits(b) => ConstKey::Bits(*b),
            Constant::Str(s) => ConstKey::Str(s.clone()),
        };
        if let Some(i) = self.constants.get(&key) {
            return *i;
        }
        let i = self.program.constants.len();
        if i > u16::MAX as usize {
            self.limit_error("too many constants in one program", Span::default());
            return 0;
        }
        self.program.constants.push(c);
        self.constants.insert(key, i as u16);
        i as u16
    }

    /// The runtime type id of a concrete type.
    pub(crate) fn type_id(&mut self, t: &Ty) -> TypeId {
        let rt = match t {
            Ty::Void | Ty::Unknown | Ty::Var(_) => RtType::Void,
            Ty::Bool => RtType::Bool,
            Ty::I32 => RtType::I32,
            Ty::I64 => RtType::I64,
            Ty::U32 => RtType::U32,
            Ty::U64 => RtType::U64,
            Ty::F64 => RtType::F64,
            Ty::Str => RtType::Str,
            Ty::Error => RtType::Error,
            Ty::Array(e) => RtType::Array(self.type_id(e)),
            Ty::Range(e) => RtType::Range(self.type_id(e)),
            Ty::Func(ps, r) => {
                let params = ps.iter().map(|p| self.type_id(p)).collect();
                RtType::Func { params, ret: self.type_id(r) }
            }
            Ty::Adt(..) => return self.adt_type_id(t),
            Ty::Map(k, v) => RtType::Map { key: self.type_id(k), value: self.type_id(v) },
        };
        if let Some(id) = self.types.get(&rt) {
            return *id;
        }
        let id = self.program.types.len() as TypeId;
        self.program.types.push(rt.clone());
        self.types.insert(rt, id);
        id
    }

    /// Struct and enum instantiations get their id before their fields are described, so
    /// recursive types (a `Node` holding `Option<Node>`) refer to themselves.
    fn adt_type_id(&mut self, t: &Ty) -> TypeId {
        if let Some(id) = self.adt_types.get(t) {
            return *id;
        }
        let Ty::Adt(adt, args) = t else { return 0 };
        let id = self.program.types.len() as TypeId;
        self.program.types.push(RtType::Void);
        self.adt_types.insert(t.clone(), id);
        let Some(def) = self.typed.adts.get(*adt as usize) else { return id };
        let subst = def.subst(args);
        let table = &self.typed.table;
        let inst = |ty: &Ty| table.zonk(&crate::types::infer::substitute(table, ty, &subst));
        let rt = match &def.kind {
            AdtKind::Struct(fields) => {
                let fields: Vec<(String, Ty)> = fields.iter().map(|f| (f.name.clone(), inst(&f.ty))).collect();
                let fields = fields.into_iter().map(|(n, ty)| (n, self.type_id(&ty))).collect();
                RtType::Struct { name: runtime_type_name(&def.name).to_string(), fields }
            }
            AdtKind::Enum(variants) => {
                let variants: Vec<(String, Vec<Ty>)> =
                    variants.iter().map(|v| (v.name.clone(), v.fields.iter().map(&inst).collect())).collect();
                let variants =
                    variants.into_iter().map(|(n, tys)| (n, tys.iter().map(|ty| self.type_id(ty)).collect())).collect();
                RtType::Enum { name: runtime_type_name(&def.name).to_string(), variants }
            }
        };
        if let Some(slot) = self.program.types.get_mut(id as usize) {
            *slot = rt;
        }
        id
    }

    /// Concrete field (struct) or payload (enum variant `tag`) types of `t`.
    pub(crate) fn slot_types(&self, t: &Ty, tag: Option<u32>) -> Vec<Ty> {
        let Ty::Adt(adt, args) = t else { return Vec::new() };
        let Some(def) = self.typed.adts.get(*adt as usize) else { return Vec::new() };
        let subst = def.subst(args);
        let table = &self.typed.table;
        let inst = |ty: &Ty| table.zonk(&crate::types::infer::substitute(table, ty, &subst));
        match (&def.kind, tag) {
            (AdtKind::Struct(fields), _) => fields.iter().map(|f| inst(&f.ty)).collect(),
            (AdtKind::Enum(vs), Some(tag)) => {
                vs.get(tag as usize).map(|v| v.fields.iter().map(inst).collect()).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn is_ref(&self, t: &Ty) -> bool {
        matches!(t, Ty::Str | Ty::Array(_) | Ty::Range(_) | Ty::Func(..) | Ty::Error | Ty::Adt(..) | Ty::Map(..))
    }

    pub(crate) fn limit_error(&mut self, what: &str, span: Span) {
        if self.diags.iter().any(|d| d.title == what) {
            return;
        }
        self.diags.push(Diagnostic::error(codes::FUNCTION_TOO_LARGE, what, span, "this is too large to compile"));
    }
}
