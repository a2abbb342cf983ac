using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>The result of <see cref="Regions.ConnectedLabelRegions"/>: the new label image and where each region came from.</summary>
/// <param name="Image">New labels 1..N (0 = background), int32.</param>
/// <param name="SourceLabels">For new label k, the original label at index k−1.</param>
/// <param name="Names">For new label k, the original label's name at index k−1 (when names were given).</param>
public sealed record LabelRegions(Image<int> Image, int[] SourceLabels, IReadOnlyList<string>? Names)
{
    /// <summary>Number of regions.</summary>
    public int Count => SourceLabels.Length;
}

/// <summary>Region operations on label images (nilearn's <c>regions</c> module).</summary>
public static class Regions
{
    /// <summary>
    /// nilearn <c>connected_label_regions(labels_img, min_size, connect_diag, labels)</c>: splits every label into its
    /// spatially connected parts and numbers them 1..N, label by label in ascending order, and within a label in
    /// scipy.ndimage.label's order (first voxel in C order: x slowest, z fastest), so that e.g. a one-voxel island
    /// that comes first in that scan gets the lower number.
    /// </summary>
    /// <param name="labels">The label image (background 0; negative labels are an error).</param>
    /// <param name="minSize">In mm³: parts of at most <c>minSize / voxel volume</c> voxels are dropped. As in nilearn,
    /// when a label loses a part its remaining voxels are renumbered with face (6-) connectivity.</param>
    /// <param name="connectDiagonal">26-connectivity (default) or faces only (6).</param>
    /// <param name="names">Names of the non-background labels in ascending label order; repeated for each part.</param>
    public static LabelRegions ConnectedLabelRegions(Image<int> labels, double? minSize = null, bool connectDiagonal = true, IReadOnlyList<string>? names = null)
    {
        if (labels.NDim > 3 && labels.VolumeCount > 1)
            throw new NiSharpException($"connected_label_regions needs a 3D label image, got shape {labels.ShapeText()}");
        var shape = labels.SpatialShape;
        int nx = shape[0], ny = shape[1], nz = shape[2];
        var values = labels.Data.AsSpan(0, nx * ny * nz);
        var unique = new SortedSet<int>();
        foreach (var v in values)
        {
            if (v < 0) throw new NiSharpException($"the label image has negative labels (e.g. {v}); labels must be positive integers");
            if (v != 0) unique.Add(v);
        }
        var labelList = unique.ToArray();
        if (names is not null && names.Count != labelList.Length)
            throw new NiSharpException($"{names.Count} label names were given but the image has {labelList.Length} labels (background excluded)");
        if (minSize is < 0) throw new NiSharpException($"min_size must be positive, got {minSize}");

        var conn = connectDiagonal ? Connectivity.Full26 : Connectivity.Face6;
        var cc = ConnectedComponents.Find(values, nx, ny, nz, conn);

        // components of each label, in scipy's order (their global numbers are already in that order)
        var byLabel = new Dictionary<int, List<int>>();
        for (int c = 0; c < cc.Count; c++)
        {
            if (!byLabel.TryGetValue(cc.Values[c], out var list)) byLabel[cc.Values[c]] = list = [];
            list.Add(c + 1);
        }

        var newIdOfComponent = new int[cc.Count + 1];
        int[]? relabel = null;               // per voxel, for labels renumbered after dropping small parts
        Dictionary<int, List<int>>? relabelByLabel = null;
        if (minSize is double ms)
        {
            double det = Math.Abs(labels.Affine.Determinant3x3);
            double sizeInVoxels = ms / det;
            var dropped = new HashSet<int>();
            var labelsWithDrops = new HashSet<int>();
            for (int c = 0; c < cc.Count; c++)
            {
                if (!(cc.Sizes[c] > sizeInVoxels))
                {
                    dropped.Add(c + 1);
                    labelsWithDrops.Add(cc.Values[c]);
                }
            }
            if (labelsWithDrops.Count > 0)
            {
                // nilearn relabels what remains of such a label with scipy.ndimage.label's default (face) structure
                var kept = new int[values.Length];
                for (int p = 0; p < kept.Length; p++)
                {
                    int comp = cc.Labels[p];
                    if (comp != 0 && labelsWithDrops.Contains(values[p]) && !dropped.Contains(comp)) kept[p] = values[p];
                }
                var cc6 = ConnectedComponents.Find(kept, nx, ny, nz, Connectivity.Face6);
                relabel = cc6.Labels;
                relabelByLabel = [];
                for (int c = 0; c < cc6.Count; c++)
                {
                    if (!relabelByLabel.TryGetValue(cc6.Values[c], out var list)) relabelByLabel[cc6.Values[c]] = list = [];
                    list.Add(c + 1);
                }
                foreach (var l in labelsWithDrops) byLabel.Remove(l);
            }
        }

        var sourceLabels = new List<int>();
        var newNames = names is null ? null : new List<string>();
        var newIdOfRelabel = relabelByLabel is null ? null : new int[relabel!.Max() + 1];
        int next = 1;
        for (int li = 0; li < labelList.Length; li++)
        {
            int label = labelList[li];
            List<int>? parts;
            bool renumbered = relabelByLabel is not null && !byLabel.ContainsKey(label);
            if (renumbered) relabelByLabel!.TryGetValue(label, out parts);
            else byLabel.TryGetValue(label, out parts);
            if (parts is null) continue;
            foreach (var comp in parts)
            {
                if (renumbered) newIdOfRelabel![comp] = next;
                else newIdOfComponent[comp] = next;
                sourceLabels.Add(label);
                newNames?.Add(names![li]);
                next++;
            }
        }

        var output = new int[values.Length];
        for (int p = 0; p < values.Length; p++)
        {
            int v = values[p];
            if (v == 0) continue;
            if (relabel is not null && !byLabel.ContainsKey(v))
            {
                int r = relabel[p];
                output[p] = r == 0 ? 0 : newIdOfRelabel![r];
            }
            else
            {
                output[p] = newIdOfComponent[cc.Labels[p]];
            }
        }
        var img = new Image<int>(labels.SpatialShape, labels.Affine, output, labels.Header);
        return new LabelRegions(img, sourceLabels.ToArray(), newNames);
    }

    /// <summary>
    /// <see cref="ConnectedLabelRegions(Image{int}, double?, bool, IReadOnlyList{string}?)"/> for a label image loaded
    /// with another voxel type (e.g. <c>Image.Load(path)</c> gives float32); the values must be whole numbers.
    /// </summary>
    public static LabelRegions ConnectedLabelRegions<T>(Image<T> labels, double? minSize = null, bool connectDiagonal = true, IReadOnlyList<string>? names = null)
        where T : unmanaged, INumber<T> =>
        ConnectedLabelRegions(ToLabelImage(labels), minSize, connectDiagonal, names);

    /// <summary>
    /// A label image as integers: integer datatypes as they are, float values only when they are whole numbers
    /// (an error naming <paramref name="source"/> otherwise). Trailing singleton dimensions are dropped.
    /// </summary>
    public static Image<int> ToLabelImage<T>(Image<T> image, string? source = null) where T : unmanaged, INumber<T>
    {
        string who = source ?? "the label image";
        var shape = image.Shape.ToList();
        while (shape.Count > 3 && shape[^1] == 1) shape.RemoveAt(shape.Count - 1);
        if (shape.Count > 3)
            throw new NiSharpException(source is null ? $"a label image must be 3D, got shape {image.ShapeText()}" : $"{source}: a label image must be 3D, got shape {image.ShapeText()}");
        var data = new int[image.Data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            double d = double.CreateTruncating(image.Data[i]);
            if (double.IsNaN(d)) { data[i] = 0; continue; } // nilearn reads labels with ensure_finite: NaN → 0
            if (d != Math.Round(d) || d > int.MaxValue || d < int.MinValue)
                throw new NiSharpException(source is null
                    ? $"{who} has non-integer values (e.g. {d}); it is not a label image"
                    : $"{source}: has non-integer values (e.g. {d}); it is not a label image");
            data[i] = (int)d;
        }
        return new Image<int>(shape.ToArray(), image.Affine, data, image.Header);
    }

    /// <summary>Loads a label image from a file as int32 (see <see cref="ToLabelImage{T}"/>), reading it in
    /// pieces so that a 1 mm int64 or float atlas never needs a second full-size array.</summary>
    public static Image<int> LoadLabelImage(string path)
    {
        int[]? data = null;
        var (shape, affine, header) = StreamLabelImage(path, (labels, first) => labels.CopyTo(data.AsSpan((int)first)), grid => data = new int[grid.VoxelCount]);
        return new Image<int>(shape, affine, data!, header);
    }

    /// <summary>
    /// Reads a 3D label image piece by piece (whole z-slices, about 64 k voxels at a time) with the rule of
    /// <see cref="ToLabelImage{T}"/> (NaN → 0, a non-integer value refused), never holding it whole:
    /// <paramref name="visit"/> gets each piece's first linear voxel index and its labels (valid during the call only).
    /// <paramref name="start"/> (when given) learns the image's grid before the first piece. Returns the 3D shape, the affine and the header.
    /// </summary>
    public static (int[] Shape, Affine Affine, NiftiHeader Header) StreamLabelImage(string path, ReadOnlySpanAction<int, long> visit, Action<Grid>? start = null)
    {
        using var f = NiftiFile.Open(path);
        var shape = LabelImageShape(f, path);
        int total = f.VoxelsPerVolume;
        start?.Invoke(Grid.Of(f));
        int slice = Math.Max(1, shape.Count > 1 ? shape[0] * shape[1] : shape[0]);
        // Whole slices, about 64 k voxels (one 1 mm slice) at a time: a piece's buffers are fresh memory in the process that
        // streams the atlas, and each page of it costs more to touch first than a slice costs to hand over.
        int pieceVoxels = Math.Min(total, Math.Max(slice, (1 << 16) / slice * slice));
        var labels = new int[pieceVoxels];
        // Unscaled integer voxels (the usual atlas: a 1 mm int64 image is 134 MB) are whole numbers already: only their
        // range is checked, instead of going through doubles voxel by voxel — the same labels, several times faster.
        ReadPiece read = f.Header.HasScaling ? ReadAsDoubles(f, path, pieceVoxels) : f.DataType switch
        {
            NiftiDataType.Int32 => (first, dst) => f.ReadVoxels(first, dst),
            NiftiDataType.UInt8 => ReadAsIntegers<byte>(f, path, pieceVoxels),
            NiftiDataType.Int8 => ReadAsIntegers<sbyte>(f, path, pieceVoxels),
            NiftiDataType.Int16 => ReadAsIntegers<short>(f, path, pieceVoxels),
            NiftiDataType.UInt16 => ReadAsIntegers<ushort>(f, path, pieceVoxels),
            NiftiDataType.UInt32 => ReadAsIntegers<uint>(f, path, pieceVoxels),
            NiftiDataType.Int64 => ReadAsIntegers<long>(f, path, pieceVoxels),
            NiftiDataType.UInt64 => ReadAsIntegers<ulong>(f, path, pieceVoxels),
            _ => ReadAsDoubles(f, path, pieceVoxels),
        };
        for (int first = 0; first < total; first += pieceVoxels)
        {
            int n = Math.Min(pieceVoxels, total - first);
            read(first, labels.AsSpan(0, n));
            visit(labels.AsSpan(0, n), first);
        }
        return (shape.ToArray(), f.Affine, f.Header);
    }

    /// <summary>The grid of an opened label image file, whose shape is checked as <see cref="StreamLabelImage"/> reads it (3D, trailing
    /// singleton dimensions dropped) — without reading a voxel.</summary>
    public static Grid LabelImageGrid(NiftiFile f, string path)
    {
        LabelImageShape(f, path);
        return Grid.Of(f);
    }

    private static List<int> LabelImageShape(NiftiFile f, string path)
    {
        var shape = f.Shape.ToList();
        while (shape.Count > 3 && shape[^1] == 1) shape.RemoveAt(shape.Count - 1);
        if (shape.Count > 3)
            throw new NiSharpException(path, $"a label image must be 3D, got shape {Image.ShapeText(f.Shape)}");
        return shape;
    }

    /// <summary>Reads the labels of the voxels from a linear index on into a span as long as the piece.</summary>
    private delegate void ReadPiece(long first, Span<int> labels);

    // Any voxel type, scaled or not: through doubles, voxel by voxel.
    private static ReadPiece ReadAsDoubles(NiftiFile f, string path, int pieceVoxels)
    {
        var piece = new double[pieceVoxels];
        return (first, labels) =>
        {
            var chunk = piece.AsSpan(0, labels.Length);
            f.ReadVoxels<double>(first, chunk);
            for (int i = 0; i < chunk.Length; i++)
            {
                double d = chunk[i];
                if (double.IsNaN(d)) { labels[i] = 0; continue; } // nilearn reads labels with ensure_finite: NaN → 0
                if (d != Math.Round(d) || d > int.MaxValue || d < int.MinValue) throw NotLabels(path, d);
                labels[i] = (int)d;
            }
        };
    }

    // Unscaled integers: narrowed in one branch-free pass that also notes whether any value lay outside int32 (then the
    // first such value is found for the message). Plain scalar code: the published build targets the baseline x64
    // instruction set, where the generic vectorised 64-bit min/max fall back to slow paths.
    private static ReadPiece ReadAsIntegers<T>(NiftiFile f, string path, int pieceVoxels) where T : unmanaged, IBinaryInteger<T>
    {
        var piece = new T[pieceVoxels];
        return (first, labels) =>
        {
            var chunk = piece.AsSpan(0, labels.Length);
            f.ReadVoxels(first, chunk);
            if (!Narrow<T>(chunk, labels))
                foreach (var v in chunk)
                    if (double.CreateTruncating(v) is var d && (d > int.MaxValue || d < int.MinValue)) throw NotLabels(path, d);
        };
    }

    /// <summary>Copies integers into int32 labels; false when some value lies outside int32's range.</summary>
    private static bool Narrow<T>(ReadOnlySpan<T> values, Span<int> labels) where T : unmanaged, IBinaryInteger<T>
    {
        labels = labels[..values.Length];
        ulong outside = 0;
        if (typeof(T) == typeof(long))
        {
            var v = MemoryMarshal.Cast<T, long>(values);
            int i = 0;
            if (Vector128.IsHardwareAccelerated)
            {
                // Four at a time with the baseline's 128-bit integer operations (add, shift, or, shuffle): the lesson's int64
                // 1 mm atlas is 16.7 million values, narrowed beside the BOLD's read in a cold run.
                var bias = Vector128.Create(0x8000_0000L);
                var flags = Vector128<long>.Zero;
                ref long from = ref MemoryMarshal.GetReference(v);
                ref int to = ref MemoryMarshal.GetReference(labels);
                for (; i + 4 <= v.Length; i += 4)
                {
                    var a = Vector128.LoadUnsafe(ref from, (nuint)i);
                    var b = Vector128.LoadUnsafe(ref from, (nuint)i + 2);
                    flags |= Vector128.ShiftRightLogical(a + bias, 32) | Vector128.ShiftRightLogical(b + bias, 32);
                    Vector128.Narrow(a, b).StoreUnsafe(ref to, (nuint)i);
                }
                outside = flags.AsUInt64().GetElement(0) | flags.AsUInt64().GetElement(1);
            }
            for (; i < v.Length; i++)
            {
                outside |= (ulong)(v[i] + 0x8000_0000L) >> 32; // in range exactly when v + 2³¹ lies in [0, 2³²)
                labels[i] = (int)v[i];
            }
        }
        else if (typeof(T) == typeof(ulong) || typeof(T) == typeof(uint))
        {
            for (int i = 0; i < values.Length; i++)
            {
                ulong u = ulong.CreateTruncating(values[i]);
                outside |= u >> 31;
                labels[i] = (int)u;
            }
        }
        else
            for (int i = 0; i < values.Length; i++) labels[i] = int.CreateTruncating(values[i]); // 8 and 16 bits: always in range
        return outside == 0;
    }

    private static NiSharpException NotLabels(string path, double example) =>
        new(path, $"has non-integer values (e.g. {example}); it is not a label image");
}
