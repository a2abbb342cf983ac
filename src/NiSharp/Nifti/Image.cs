using System.Numerics;

namespace NiSharp.Nifti;

/// <summary>
/// An image held in memory: shape, affine, voxels of type <typeparamref name="T"/> in NIfTI order
/// (x fastest, then y, z, t — so each volume is one contiguous block), and an optional header that
/// carries what the affine does not (TR, units, description) into files written from it.
/// </summary>
public sealed class Image<T> where T : unmanaged, INumber<T>
{
    /// <summary>The shape (3 to 7 dimensions; trailing singletons kept as given).</summary>
    public int[] Shape { get; }

    /// <summary>Voxel-to-world affine.</summary>
    public Affine Affine { get; }

    /// <summary>The voxels, x fastest.</summary>
    public T[] Data { get; }

    /// <summary>The header the image came from or should be written with (shape, affine and datatype are
    /// always taken from the image itself when saving).</summary>
    public NiftiHeader? Header { get; }

    /// <summary>Builds an image; <paramref name="data"/> is used as is (not copied).</summary>
    public Image(int[] shape, Affine affine, T[] data, NiftiHeader? header = null)
    {
        if (shape.Length is < 1 or > 7) throw new ArgumentException("an image has 1 to 7 dimensions", nameof(shape));
        long n = 1;
        foreach (var d in shape)
        {
            if (d <= 0) throw new ArgumentException($"dimension {d} is not positive", nameof(shape));
            n *= d;
        }
        if (n != data.Length) throw new ArgumentException($"shape {Image.ShapeText(shape)} needs {n} values, got {data.Length}", nameof(data));
        Shape = shape.ToArray();
        Affine = affine;
        Data = data;
        Header = header;
    }

    /// <summary>A zero-filled image.</summary>
    public static Image<T> Zeros(int[] shape, Affine affine, NiftiHeader? header = null)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        return new Image<T>(shape, affine, new T[n], header);
    }

    /// <summary>The first three dimensions (1 where the image has fewer).</summary>
    public int[] SpatialShape => [Shape[0], Shape.Length > 1 ? Shape[1] : 1, Shape.Length > 2 ? Shape[2] : 1];

    /// <summary>Voxels per volume.</summary>
    public int VoxelsPerVolume => SpatialShape[0] * SpatialShape[1] * SpatialShape[2];

    /// <summary>Number of volumes (product of dimensions 4 and above).</summary>
    public int VolumeCount => Data.Length / VoxelsPerVolume;

    /// <summary>Number of dimensions.</summary>
    public int NDim => Shape.Length;

    /// <summary>Seconds between volumes, from the header; null when unknown or 3D.</summary>
    public double? RepetitionTime => NDim >= 4 ? Header?.RepetitionTime : null;

    /// <summary>Voxel sizes (mm) from the affine.</summary>
    public (double X, double Y, double Z) VoxelSizes => Affine.VoxelSizes;

    /// <summary>The voxels of volume <paramref name="t"/>.</summary>
    public Span<T> Volume(int t) => Data.AsSpan(t * VoxelsPerVolume, VoxelsPerVolume);

    /// <summary>Linear index of voxel (i, j, k) in volume t.</summary>
    public int Index(int i, int j, int k, int t = 0) =>
        i + SpatialShape[0] * (j + SpatialShape[1] * (k + SpatialShape[2] * t));

    /// <summary>Voxel (i, j, k) of volume t.</summary>
    public T this[int i, int j, int k, int t = 0]
    {
        get => Data[Index(i, j, k, t)];
        set => Data[Index(i, j, k, t)] = value;
    }

    /// <summary>The shape as numpy prints it, e.g. <c>(65, 77, 49, 152)</c>.</summary>
    public string ShapeText() => Image.ShapeText(Shape);

    /// <summary>A copy converted to <typeparamref name="TOut"/> (truncating, like numpy <c>astype</c>).</summary>
    public Image<TOut> As<TOut>() where TOut : unmanaged, INumber<TOut>
    {
        var d = new TOut[Data.Length];
        if (typeof(T) == typeof(TOut)) Data.AsSpan().CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<TOut, T>(d.AsSpan()));
        else System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<T, TOut>(Data, d);
        return new Image<TOut>(Shape, Affine, d, Header);
    }

    /// <summary>A new image with the same grid and header but other voxel values.</summary>
    public Image<TOut> WithData<TOut>(TOut[] data, int[]? shape = null) where TOut : unmanaged, INumber<TOut> =>
        new(shape ?? Shape, Affine, data, Header);

    /// <summary>
    /// Writes the image to <paramref name="path"/> (gzip when it ends in <c>.gz</c>), atomically, as
    /// <paramref name="dataType"/> (default: the type that holds <typeparamref name="T"/> exactly).
    /// </summary>
    public void Save(string path, NiftiDataType? dataType = null, NiftiWriteOptions? options = null)
    {
        var type = dataType ?? NiftiDataTypes.For<T>();
        using var w = NiftiWriter.Create(path, Shape, Affine, type, Header, options);
        w.WriteVolumes<T>(Data);
        w.Commit();
    }
}

/// <summary>Entry points that read like nibabel's <c>nib.load</c>.</summary>
public static class Image
{
    /// <summary>Loads a whole image as float32 (scaled), like <c>img.get_fdata(dtype=np.float32)</c>.</summary>
    public static Image<float> Load(string path) => Load<float>(path);

    /// <summary>Loads a whole image as <typeparamref name="T"/> (e.g. <c>int</c> for label atlases).</summary>
    public static Image<T> Load<T>(string path) where T : unmanaged, INumber<T>
    {
        using var f = NiftiFile.Open(path);
        return f.Load<T>();
    }

    /// <summary>A shape as numpy prints it, e.g. <c>(65, 77, 49, 152)</c>.</summary>
    public static string ShapeText(IReadOnlyList<int> shape) => shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    /// <summary>Opens a file lazily: header now, voxels on demand.</summary>
    public static NiftiFile Open(string path) => NiftiFile.Open(path);
}
