using System.IO.Hashing;
using Org.BouncyCastle.Crypto.Digests;

namespace NiSharp.IO;

/// <summary>
/// Every hash NiSharp computes, in one home, of two kinds chosen by whether the value leaves the process:
/// <list type="bullet">
/// <item><see cref="Sha256"/> for what outputs record and compare (the parameters hash, an atlas's content hash, a label
/// table's, the bundled data folder's name): these must stay what they have always been. They are computed by a managed SHA-256 (BouncyCastle), not
/// <c>System.Security.Cryptography.SHA256</c>, because on Linux that one loads OpenSSL (libssl + libcrypto): ~5 ms of CPU
/// in a ~300 ms run, for hashing a few kilobytes of text (issue #23).</item>
/// <item><see cref="Fast"/> (XxHash128) for keys and checksums that stay inside NiSharp's own caches (the fitted-atlas
/// cache's names and entries, its atlas keys): they guard against damage and mix-ups,
/// not against an attacker, and are hashed over megabytes, where a non-cryptographic hash costs a small fraction of a
/// SHA-256.</item>
/// </list>
/// A digest is fed with <see cref="Append(ReadOnlySpan{byte})"/> and <see cref="Append(Stream)"/>, then read once
/// with <see cref="Finish"/> or <see cref="Hex"/>.
/// </summary>
public sealed class Digest
{
    private readonly Sha256Digest? _sha;
    private readonly XxHash128? _fast;

    private Digest(Sha256Digest? sha, XxHash128? fast) { _sha = sha; _fast = fast; }

    /// <summary>A SHA-256: for a value that outputs record.</summary>
    public static Digest Sha256() => new(new Sha256Digest(), null);

    /// <summary>An XxHash128: for a key or checksum that only NiSharp's own caches keep.</summary>
    public static Digest Fast() => new(null, new XxHash128());

    /// <summary>The length of the hash in bytes (32 for SHA-256, 16 for XxHash128).</summary>
    public int Length => _sha is not null ? 32 : 16;

    /// <summary>Adds <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_sha is not null) _sha.BlockUpdate(data);
        else _fast!.Append(data);
    }

    /// <summary>Adds what is left of <paramref name="stream"/>.</summary>
    public void Append(Stream stream)
    {
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0) Append(buffer.AsSpan(0, n));
    }

    /// <summary>The hash of all that was added.</summary>
    public byte[] Finish()
    {
        var hash = new byte[Length];
        if (_sha is not null) _sha.DoFinal(hash);
        else _fast!.GetCurrentHash(hash);
        return hash;
    }

    /// <summary>The first <paramref name="digits"/> lower-case hex digits of <see cref="Finish"/>.</summary>
    public string Hex(int digits) => Convert.ToHexStringLower(Finish())[..digits];

    /// <summary>The first <paramref name="digits"/> hex digits of the SHA-256 of <paramref name="data"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data, int digits)
    {
        var d = Sha256();
        d.Append(data);
        return d.Hex(digits);
    }

    /// <summary>The first <paramref name="digits"/> hex digits of the XxHash128 of <paramref name="data"/>.</summary>
    public static string FastHex(ReadOnlySpan<byte> data, int digits)
    {
        var d = Fast();
        d.Append(data);
        return d.Hex(digits);
    }
}
