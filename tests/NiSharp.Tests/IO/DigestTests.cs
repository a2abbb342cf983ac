using System.IO.Hashing;
using System.Security.Cryptography;
using CsCheck;
using NiSharp.Atlases;
using NiSharp.IO;
using NiSharp.Tests.Atlases;

namespace NiSharp.Tests.IO;

/// <summary>The managed SHA-256 gives what .NET's (OpenSSL's) does, so outputs that record one keep their values.</summary>
public class DigestTests
{
    /// <summary>Random bytes (0–5000, so every padding case of a 64-byte block comes up) and where to cut them into pieces.</summary>
    private static readonly Gen<(byte[] Data, int[] Cuts)> GenPieces =
        Gen.Byte.Array[0, 5000].SelectMany(d => Gen.Int[0, d.Length].Array[0, 6].Select(c => (d, c.Order().ToArray())));

    private static Digest Fed(Digest d, byte[] data, int[] cuts)
    {
        int at = 0;
        foreach (var c in cuts.Append(data.Length)) { d.Append(data.AsSpan(at, c - at)); at = c; }
        return d;
    }

    [Fact]
    public void Sha256_equals_the_system_sha256_on_random_inputs_however_they_are_fed()
    {
        GenPieces.Sample(t =>
        {
            var expected = SHA256.HashData(t.Data);
            Assert.Equal(expected, Fed(Digest.Sha256(), t.Data, t.Cuts).Finish());
            var fromStream = Digest.Sha256();
            fromStream.Append(new MemoryStream(t.Data));
            Assert.Equal(expected, fromStream.Finish());
            Assert.Equal(Convert.ToHexStringLower(expected)[..16], Digest.Sha256Hex(t.Data, 16));
        });
    }

    [Fact]
    public void Sha256_of_a_known_text()
    {
        // FIPS 180-2, appendix B.1
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Digest.Sha256Hex("abc"u8, 64));
        Assert.Equal("ba7816bf8f01cfea", NiSharp.Pipeline.Provenance.Hash("abc"));
    }

    [Fact]
    public void An_atlas_content_hash_is_still_the_system_sha256_of_its_bytes()
    {
        // A file atlas records it in every sidecar; a bundled one is shown by 'nisharp atlases NAME'.
        foreach (var atlas in new[] { AtlasHomes.SchaeferImage, "schaefer100-7" })
        {
            var source = AtlasResolver.Resolve(new AtlasSpec { Atlas = atlas });
            var bytes = File.ReadAllBytes(source.ImagePath).Concat("\n--\n"u8.ToArray());
            if (source.Origin == AtlasOrigin.Bundled)
                bytes = bytes.Concat(File.ReadAllBytes(BundledData.PathOf(source.Info!.LabelsFile!))).Concat("\n--\n"u8.ToArray());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()))[..16], source.ContentHash);
            Assert.Matches("^[0-9a-f]{32}$", source.Fingerprint);
        }
    }

    [Fact]
    public void Fast_is_xxhash128_however_it_is_fed()
    {
        GenPieces.Sample(t =>
        {
            var expected = XxHash128.Hash(t.Data);
            Assert.Equal(expected, Fed(Digest.Fast(), t.Data, t.Cuts).Finish());
            Assert.Equal(Convert.ToHexStringLower(expected), Digest.FastHex(t.Data, 32));
        });
    }
}
