//! A schema-driven generator of random, valid TL bytes.
//!
//! It reads a schema with `tl_parser` and, for a chosen constructor or
//! function, writes the bytes of a random value of it straight from the wire
//! rules (never through the generated types), so that decoding them with the
//! generated code and encoding again is a real test of both directions.
//!
//! Used by the round trips of both generated layers ([`crate::roundtrip`])
//! and by `mtproto-types`' differential test against grammers; it depends
//! on nothing but `tl_parser`.

use std::collections::HashMap;

use tl_parser::{Category, Definition, ParamType, Schema, TypeKind, TypeRef};

/// A small deterministic generator (SplitMix64). The caller seeds it from
/// proptest, so proptest drives the randomness and its seed makes runs
/// reproducible.
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence `seed` fixes.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True or false, even odds.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// Appends `n` random bytes.
    pub fn fill(&mut self, out: &mut Vec<u8>, n: usize) {
        for _ in 0..n {
            out.push(self.next_u64() as u8);
        }
    }
}

/// Appends `data` as TL `bytes`/`string`: short or long length prefix, the
/// data, zero padding to a multiple of 4. Written from the wire rules, not
/// with the crate's writer, so that a bug there cannot hide.
pub fn push_tl_bytes(out: &mut Vec<u8>, data: &[u8]) {
    let header = if data.len() <= 253 {
        out.push(data.len() as u8);
        1
    } else {
        let n = data.len() as u32;
        out.extend_from_slice(&[254, n as u8, (n >> 8) as u8, (n >> 16) as u8]);
        4
    };
    out.extend_from_slice(data);
    let total = header + data.len();
    out.resize(out.len() + (4 - total % 4) % 4, 0);
}

/// What to write where the schema says `Object` or `!X`: some small boxed
/// value of the layer that the caller knows decodes (the generated code keeps
/// such fields raw, so any boxed bytes do).
pub type ObjectFn = fn(&mut Rng, &mut Vec<u8>);

/// The generator for one schema.
pub struct Generator<'s> {
    /// The schema whose values it writes.
    pub schema: &'s Schema,
    /// Constructors of each boxed type, by full TL type name.
    by_type: HashMap<String, Vec<&'s Definition>>,
    /// Constructors by full TL name (for bare references such as `message`).
    by_name: HashMap<String, &'s Definition>,
    /// For each boxed type, the index (in `by_type`) of a constructor whose
    /// smallest value nests the least, used once the depth limit is reached
    /// so generation always ends.
    shallowest: HashMap<String, usize>,
    /// Nesting of boxed/bare constructors beyond which only the shallowest
    /// constructors, no optional fields and empty vectors are chosen.
    pub max_depth: usize,
    object: ObjectFn,
}

impl<'s> Generator<'s> {
    /// A generator for `schema` that writes `object` for `Object` and `!X`.
    pub fn new(schema: &'s Schema, object: ObjectFn) -> Self {
        let mut by_type: HashMap<String, Vec<&Definition>> = HashMap::new();
        let mut by_name = HashMap::new();
        for def in schema.constructors() {
            by_type.entry(def.result.name.full()).or_default().push(def);
            by_name.insert(def.name.full(), def);
        }
        let mut gen = Generator {
            schema,
            by_type,
            by_name,
            shallowest: HashMap::new(),
            max_depth: 3,
            object,
        };
        gen.compute_shallowest();
        gen
    }

    /// Every definition (constructors, then functions) with its wire id.
    pub fn definitions(&self) -> impl Iterator<Item = &'s Definition> {
        self.schema.constructors().chain(self.schema.functions())
    }

    /// Fixed point of "height of the smallest value": a constructor's is one
    /// more than the largest height among its required (unflagged) boxed or
    /// bare fields; vectors count as empty, flags as unset.
    fn compute_shallowest(&mut self) {
        const INF: usize = usize::MAX / 2;
        let mut height: HashMap<String, usize> = HashMap::new();
        loop {
            let mut changed = false;
            for (ty, ctors) in &self.by_type {
                let mut best = (INF, 0);
                for (i, def) in ctors.iter().enumerate() {
                    let h = self.min_height(def, &height);
                    if h < best.0 {
                        best = (h, i);
                    }
                }
                if best.0 < height.get(ty).copied().unwrap_or(INF) {
                    height.insert(ty.clone(), best.0);
                    self.shallowest.insert(ty.clone(), best.1);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn min_height(&self, def: &Definition, height: &HashMap<String, usize>) -> usize {
        const INF: usize = usize::MAX / 2;
        let mut h = 0;
        for p in &def.params {
            if let ParamType::Normal { ty, flag: None } = &p.ty {
                let field = match ty.kind {
                    TypeKind::Boxed => height.get(&ty.name.full()).copied().unwrap_or(INF),
                    TypeKind::BareConstructor => match self.bare_def(ty) {
                        Some(d) => self.min_height(d, height),
                        None => INF,
                    },
                    _ => 0,
                };
                h = h.max(field);
            }
        }
        h.saturating_add(1).min(INF)
    }

    /// The constructor a bare reference names: `future_salt`, `message`,
    /// or `%Message` (the only constructor of type `Message`).
    fn bare_def(&self, ty: &TypeRef) -> Option<&'s Definition> {
        let name = ty.name.full();
        if let Some(def) = self.by_name.get(&name) {
            return Some(def);
        }
        match self.by_type.get(&name).map(Vec::as_slice) {
            Some([only]) => Some(only),
            _ => None,
        }
    }

    /// The boxed bytes (id, then fields) of a random value of `def`.
    pub fn boxed(&self, def: &Definition, rng: &mut Rng) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&def.id.to_le_bytes());
        self.fields(def, rng, 0, &mut out);
        out
    }

    /// The fields of `def`, in order, with consistent flags words.
    fn fields(&self, def: &Definition, rng: &mut Rng, depth: usize, out: &mut Vec<u8>) {
        let deep = depth >= self.max_depth;
        // Decide every flag bit first: all fields sharing a bit are present
        // or absent together, and no bit is set that no field uses (a
        // decoder could not re-encode it).
        let mut set: HashMap<(tl_parser::Ident, u32), bool> = HashMap::new();
        for p in &def.params {
            if let ParamType::Normal {
                flag: Some(flag), ..
            } = &p.ty
            {
                set.entry((flag.field.clone(), flag.bit))
                    .or_insert_with(|| !deep && rng.coin());
            }
        }
        let mut params = def.params.iter().peekable();
        while let Some(p) = params.next() {
            match &p.ty {
                ParamType::Flags => {
                    let word = set
                        .iter()
                        .filter(|((field, _), on)| **on && *field == p.name)
                        .fold(0u32, |w, ((_, bit), _)| w | (1 << bit));
                    out.extend_from_slice(&word.to_le_bytes());
                }
                ParamType::Normal { ty, flag } => {
                    if let Some(flag) = flag {
                        if !set[&(flag.field.clone(), flag.bit)] {
                            continue;
                        }
                    }
                    // `bytes:int body:Object` (message): the int is the
                    // object's length, a rule the schema cannot express.
                    let next_is_object = params.peek().is_some_and(|n| {
                        matches!(&n.ty, ParamType::Normal { ty, flag: None } if ty.kind == TypeKind::Object)
                    });
                    if ty.kind == TypeKind::Int && next_is_object {
                        let mut body = Vec::new();
                        (self.object)(rng, &mut body);
                        out.extend_from_slice(&(body.len() as i32).to_le_bytes());
                        out.extend_from_slice(&body);
                        params.next();
                        continue;
                    }
                    self.value(ty, rng, depth, out);
                }
            }
        }
    }

    /// A random value of `ty`.
    pub fn value(&self, ty: &TypeRef, rng: &mut Rng, depth: usize, out: &mut Vec<u8>) {
        let deep = depth >= self.max_depth;
        match ty.kind {
            TypeKind::Int => rng.fill(out, 4),
            TypeKind::Long | TypeKind::Double => rng.fill(out, 8),
            TypeKind::Int128 => rng.fill(out, 16),
            TypeKind::Int256 => rng.fill(out, 32),
            TypeKind::String => {
                let text = random_text(rng);
                push_tl_bytes(out, text.as_bytes());
            }
            TypeKind::Bytes => {
                let len = random_len(rng);
                let mut data = Vec::new();
                rng.fill(&mut data, len);
                push_tl_bytes(out, &data);
            }
            TypeKind::Bool => {
                let id: u32 = if rng.coin() { 0x997275b5 } else { 0xbc799737 };
                out.extend_from_slice(&id.to_le_bytes());
            }
            TypeKind::True => {}
            TypeKind::Vector => {
                if !ty.bare {
                    out.extend_from_slice(&0x1cb5c415u32.to_le_bytes());
                }
                let count = if deep { 0 } else { rng.below(4) };
                out.extend_from_slice(&(count as u32).to_le_bytes());
                for _ in 0..count {
                    self.value(&ty.args[0], rng, depth + 1, out);
                }
            }
            TypeKind::Object | TypeKind::Generic => (self.object)(rng, out),
            TypeKind::Boxed => {
                let name = ty.name.full();
                let ctors = &self.by_type[&name];
                let def = if deep {
                    ctors[self.shallowest[&name]]
                } else {
                    ctors[rng.below(ctors.len())]
                };
                out.extend_from_slice(&def.id.to_le_bytes());
                self.fields(def, rng, depth + 1, out);
            }
            TypeKind::BareConstructor => {
                let def = self
                    .bare_def(ty)
                    .unwrap_or_else(|| panic!("no constructor for bare {ty}"));
                self.fields(def, rng, depth + 1, out);
            }
            TypeKind::Unresolved => panic!("unresolved type {ty}"),
        }
    }

    /// Whether `def` is a function.
    pub fn is_function(def: &Definition) -> bool {
        def.category == Category::Function
    }
}

/// Mostly short lengths, sometimes past 253 so the long prefix is covered.
fn random_len(rng: &mut Rng) -> usize {
    match rng.below(8) {
        0 => 254 + rng.below(300),
        1 => 250 + rng.below(8),
        _ => rng.below(20),
    }
}

/// Random UTF-8 mixing 1- to 4-byte characters, of `random_len` bytes or so.
pub fn random_text(rng: &mut Rng) -> String {
    let target = random_len(rng);
    let mut s = String::new();
    while s.len() < target {
        let c = match rng.below(4) {
            0 => char::from_u32(0x80 + rng.below(0x780) as u32),
            1 => char::from_u32(0x800 + rng.below(0xd000) as u32),
            2 => char::from_u32(0x10000 + rng.below(0x1000) as u32),
            _ => char::from_u32(0x20 + rng.below(0x5f) as u32),
        };
        s.extend(c);
    }
    s
}
