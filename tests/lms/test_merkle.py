"""RFC 6962 Merkle trees and the RFC 9162 proofs (lms.merkle), against the
recursive definition and the published test vectors."""

import hashlib

import pytest

from lms import merkle

# The test vectors of RFC 6962's reference implementation (certificate-transparency).
VECTOR_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
DATA = [f"leaf {i}".encode() for i in range(64)]
LEAVES = [merkle.leaf_hash(d) for d in DATA]


def mth(data: list[bytes]) -> bytes:
    """RFC 6962 §2.1, literally."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


def flipped(digest: bytes) -> bytes:
    return bytes([digest[0] ^ 1]) + digest[1:]


def test_roots_match_the_published_vectors():
    """Trees over the reference leaves give the reference roots, size by size."""
    leaves = [merkle.leaf_hash(bytes.fromhex(x)) for x in VECTOR_LEAVES]
    for size, expected in enumerate(VECTOR_ROOTS, 1):
        assert merkle.merkle_root(leaves[:size]).hex() == expected
    assert merkle.merkle_root([]).hex() == hashlib.sha256(b"").hexdigest()


def test_root_level_by_level_and_streaming_equal_the_recursive_definition():
    """merkle_root and MerkleAccumulator give MTH for every size up to 64."""
    accumulator = merkle.MerkleAccumulator()
    assert accumulator.root() == mth([])
    for size in range(1, len(DATA) + 1):
        accumulator.append(LEAVES[size - 1])
        assert merkle.merkle_root(LEAVES[:size]) == mth(DATA[:size])
        assert accumulator.root() == mth(DATA[:size])
        assert accumulator.size == size


def test_an_inclusion_proof_matches_the_published_path():
    """The audit path of leaf 0 in the 8-leaf reference tree."""
    leaves = [merkle.leaf_hash(bytes.fromhex(x)) for x in VECTOR_LEAVES]
    proof = merkle.inclusion_proof(leaves, 0, 8)
    assert [p.hex() for p in proof] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]


def test_every_inclusion_proof_verifies_and_tampered_ones_do_not():
    """Every leaf of every tree up to 20 leaves: its proof verifies; a flipped
    byte, a wrong leaf, index or root, or a missing or extra step does not.
    (The tree size itself is vouched for by the signed checkpoint.)"""
    for size in range(1, 21):
        root = mth(DATA[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(LEAVES, index, size)
            assert merkle.verify_inclusion(LEAVES[index], index, size, proof, root)
            other = LEAVES[(index + 1) % size] if size > 1 else flipped(LEAVES[0])
            assert not merkle.verify_inclusion(other, index, size, proof, root)
            assert not merkle.verify_inclusion(LEAVES[index], index, size, proof, flipped(root))
            if size > 1:
                wrong = (index + 1) % size
                assert not merkle.verify_inclusion(LEAVES[index], wrong, size, proof, root)
            for i in range(len(proof)):
                bad = [*proof[:i], flipped(proof[i]), *proof[i + 1 :]]
                assert not merkle.verify_inclusion(LEAVES[index], index, size, bad, root)
            if proof:
                assert not merkle.verify_inclusion(LEAVES[index], index, size, proof[:-1], root)
                extra = [*proof, proof[-1]]
                assert not merkle.verify_inclusion(LEAVES[index], index, size, extra, root)


def test_every_consistency_proof_verifies_and_tampered_ones_do_not():
    """Every pair of sizes up to 20: the proof verifies; a flipped byte, a
    swapped or wrong root, or a missing step does not."""
    for new in range(1, 21):
        new_root = mth(DATA[:new])
        for old in range(1, new + 1):
            old_root = mth(DATA[:old])
            proof = merkle.consistency_proof(LEAVES, old, new)
            assert merkle.verify_consistency(old, new, old_root, new_root, proof)
            assert not merkle.verify_consistency(old, new, flipped(old_root), new_root, proof)
            assert not merkle.verify_consistency(old, new, old_root, flipped(new_root), proof)
            for i in range(len(proof)):
                bad = [*proof[:i], flipped(proof[i]), *proof[i + 1 :]]
                assert not merkle.verify_consistency(old, new, old_root, new_root, bad)
            if proof:
                assert not merkle.verify_consistency(old, new, old_root, new_root, proof[:-1])
            if old < new:
                assert proof
                assert not merkle.verify_consistency(old, new, new_root, old_root, proof)


def test_a_tree_is_not_consistent_with_a_rewritten_history():
    """A proof against a tree whose first leaves changed does not verify."""
    rewritten = [merkle.leaf_hash(b"forged"), *LEAVES[1:]]
    old_root = mth(DATA[:5])
    proof = merkle.consistency_proof(rewritten, 5, 13)
    assert not merkle.verify_consistency(5, 13, old_root, merkle.merkle_root(rewritten[:13]), proof)


def test_range_roots_streams_once():
    """Subtree roots of disjoint ranges come from one pass over a generator."""
    ranges = [(0, 8), (8, 12), (13, 14)]
    roots = merkle.range_roots((leaf for leaf in LEAVES), ranges)
    assert roots == {
        (0, 8): mth(DATA[0:8]),
        (8, 12): mth(DATA[8:12]),
        (13, 14): mth(DATA[13:14]),
    }
    with pytest.raises(ValueError, match="fewer leaves"):
        merkle.range_roots(iter(LEAVES[:10]), [(8, 12)])


def test_out_of_range_proofs_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)
    assert not merkle.verify_inclusion(LEAVES[0], 3, 3, [], mth(DATA[:3]))
    assert merkle.verify_consistency(4, 4, mth(DATA[:4]), mth(DATA[:4]), [])
    assert not merkle.verify_consistency(4, 4, mth(DATA[:4]), mth(DATA[:4]), [LEAVES[0]])
