using System.Buffers.Binary;

namespace NiSharp.Nifti;

/// <summary>
/// One NIfTI header extension (nibabel's <c>Nifti1Extension</c>): an <c>ecode</c> saying what it holds and its raw
/// content. Extensions sit between the header and <c>vox_offset</c>, after the 4-byte extender whose first byte is
/// non-zero when any follow; each is <c>esize</c> (a multiple of 16, its 8-byte head included), <c>ecode</c>, content.
/// CIFTI-2 keeps its XML in the extension with code 32.
/// </summary>
/// <param name="Code">The <c>ecode</c> (e.g. 32 for CIFTI, 4 for AFNI, 6 for comments).</param>
/// <param name="Content">The content as stored (without the 8-byte head; may end with the zero padding the writer added).</param>
public sealed record NiftiExtension(int Code, byte[] Content)
{
    /// <summary>The code of the CIFTI extension (NIFTI_ECODE_CIFTI).</summary>
    public const int CiftiCode = 32;

    /// <summary>
    /// Parses the extensions of a single-file image from <paramref name="region"/>: the bytes from the end of the
    /// header (the extender first) up to <c>vox_offset</c>. A missing or zero extender means none. A block that does
    /// not fit is an error naming <paramref name="source"/>.
    /// </summary>
    public static IReadOnlyList<NiftiExtension> Parse(ReadOnlySpan<byte> region, NiftiHeader header, string source)
    {
        if (region.Length < 4 || region[0] == 0) return [];
        int headerSize = header.Version == 1 ? NiftiHeader.Nifti1Size : NiftiHeader.Nifti2Size;
        var list = new List<NiftiExtension>();
        int pos = 4;
        // nibabel stops at the first block that does not fit; a block claiming more than is there is a broken file
        while (pos + 8 <= region.Length)
        {
            int size = header.IsBigEndian ? BinaryPrimitives.ReadInt32BigEndian(region[pos..]) : BinaryPrimitives.ReadInt32LittleEndian(region[pos..]);
            int code = header.IsBigEndian ? BinaryPrimitives.ReadInt32BigEndian(region[(pos + 4)..]) : BinaryPrimitives.ReadInt32LittleEndian(region[(pos + 4)..]);
            if (size == 0 && code == 0) break; // zero padding up to vox_offset
            if (size < 8 || pos + size > region.Length)
                throw new NiSharpException(source, $"invalid header extension at byte {headerSize + pos}: its size {size} does not fit before vox_offset {header.VoxOffset}");
            list.Add(new NiftiExtension(code, region.Slice(pos + 8, size - 8).ToArray()));
            pos += size;
        }
        return list;
    }

    /// <summary>
    /// The bytes that follow a header with <paramref name="extensions"/>: the extender (<c>1 0 0 0</c>, or
    /// <c>0 0 0 0</c> when there are none) and each block padded with zeros to a multiple of 16 bytes.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<NiftiExtension> extensions, bool bigEndian = false)
    {
        int total = 4;
        foreach (var e in extensions) total += PaddedSize(e);
        var bytes = new byte[total];
        if (extensions.Count == 0) return bytes;
        bytes[0] = 1;
        int pos = 4;
        foreach (var e in extensions)
        {
            int size = PaddedSize(e);
            if (bigEndian)
            {
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(pos), size);
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(pos + 4), e.Code);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(pos), size);
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(pos + 4), e.Code);
            }
            e.Content.CopyTo(bytes, pos + 8);
            pos += size;
        }
        return bytes;
    }

    /// <summary>The stored size of this extension: 8-byte head plus content, rounded up to 16 (the standard's rule).</summary>
    private static int PaddedSize(NiftiExtension e) => checked((e.Content.Length + 8 + 15) / 16 * 16);
}
