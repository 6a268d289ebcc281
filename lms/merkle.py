"""Merkle trees of RFC 6962 §2.1, with the proofs of RFC 9162 §2.1.3–2.1.4.

A leaf hash is SHA-256(0x00 || leaf bytes), an interior node
SHA-256(0x01 || left || right); the tree over n leaves splits at the largest
power of two below n. Hashes are raw 32-byte ``bytes`` throughout: hex only at
the edges (database, JSON).

Proofs are lists of subtree roots over contiguous ranges of leaves, so they
can be computed in one streaming pass (``range_roots``) over a million leaves
without holding them in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

_sha256 = hashlib.sha256
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return _sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes, level by level.

    Carrying an odd last node up one level unchanged gives the same tree as
    RFC 6962's split at the largest power of two."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    sha = _sha256
    while len(level) > 1:
        odd = level[-1] if len(level) % 2 else None
        it = iter(level)
        level = [sha(b"\x01" + left + right).digest() for left, right in zip(it, it, strict=False)]
        if odd is not None:
            level.append(odd)
    return level[0]


class MerkleAccumulator:
    """The root of a growing tree, one leaf hash at a time, in O(log n) memory.

    Keeps the roots of the perfect subtrees that make up the leaves so far
    (one per bit of the size); the tree's root folds them from the right."""

    __slots__ = ("size", "_stack")

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (leaves, root), largest first

    def append(self, leaf: bytes) -> None:
        stack = self._stack
        count, digest = 1, leaf
        while stack and stack[-1][0] == count:
            left = stack.pop()[1]
            digest = _sha256(b"\x01" + left + digest).digest()
            count *= 2
        stack.append((count, digest))
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1][1]
        for _count, left in reversed(self._stack[:-1]):
            digest = node_hash(left, digest)
        return digest


# --- Proofs as ranges of leaves ------------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges [start, end) whose roots make up PATH(index, D[0:size]),
    in proof order (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    outer = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            outer.append((lo + k, hi))
            hi = lo + k
        else:
            outer.append((lo, lo + k))
            lo, m = lo + k, m - k
    return outer[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots make up PROOF(old_size, D[0:new_size]),
    in proof order (RFC 9162 §2.1.4.1)."""
    if not 0 <= old_size <= new_size:
        raise ValueError("sizes out of range")
    if old_size in (0, new_size):
        return []
    outer = []
    lo, hi, m, complete = 0, new_size, old_size, True
    while True:
        n = hi - lo
        if m == n:
            if not complete:
                outer.append((lo, hi))
            break
        k = _split(n)
        if m <= k:
            outer.append((lo + k, hi))
            hi = lo + k
        else:
            outer.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    return outer[::-1]


def range_roots(
    leaf_hashes: Iterable[bytes], ranges: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The root of each of the disjoint ``ranges``, in one pass over the leaf
    hashes (which start at leaf 0); stops reading after the last range."""
    pending = sorted(set(ranges))
    roots: dict[tuple[int, int], bytes] = {}
    if not pending:
        return roots
    i = 0
    start, end = pending[0]
    acc = MerkleAccumulator()
    for position, leaf in enumerate(leaf_hashes):
        if position < start:
            continue
        acc.append(leaf)
        if position + 1 == end:
            roots[(start, end)] = acc.root()
            i += 1
            if i == len(pending):
                return roots
            start, end = pending[i]
            if start < position + 1:
                raise ValueError("ranges overlap")
            acc = MerkleAccumulator()
    raise ValueError("fewer leaves than the ranges need")


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    ranges = inclusion_ranges(index, size)
    roots = range_roots(leaf_hashes[:size], ranges)
    return [roots[r] for r in ranges]


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    ranges = consistency_ranges(old_size, new_size)
    roots = range_roots(leaf_hashes[:new_size], ranges)
    return [roots[r] for r in ranges]


# --- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ------------------------------


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` of the tree
    of ``size`` leaves whose root is ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree of ``old_size`` leaves (root
    ``old_root``) is a prefix of the tree of ``new_size`` leaves."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        # Every tree extends the empty one; RFC 9162 defines no proof for it.
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
