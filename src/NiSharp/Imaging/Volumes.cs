using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// Slicing, averaging and concatenating volumes: nibabel's <c>img.slicer[...]</c>, nilearn's
/// <c>index_img</c>, <c>mean_img</c> and <c>concat_imgs</c>. In-memory versions work on
/// <see cref="Image{T}"/>; the <c>*File</c> versions stream a file volume by volume and keep its datatype.
/// </summary>
public static class Volumes
{
    /// <summary>
    /// <c>img.slicer[x, y, z, volumes]</c> with python-style text slices, e.g. <c>img.Index(volumes: "4:")</c>
    /// or <c>img.Index(x: "10:11")</c>. A single volume index (<c>"4"</c>) gives a 3D image; a spatial
    /// single index keeps its axis (size 1) because a NIfTI volume is always 3D. The affine moves with the
    /// block so that every kept voxel stays at the same place in world space.
    /// </summary>
    public static Image<T> Index<T>(this Image<T> image, string? volumes = null, string? x = null, string? y = null, string? z = null)
        where T : unmanaged, INumber<T> =>
        image.Index(Parse(volumes), Parse(x), Parse(y), Parse(z));

    /// <summary><see cref="Index{T}(Image{T}, string?, string?, string?, string?)"/> with parsed slices (null = all).</summary>
    public static Image<T> Index<T>(this Image<T> image, PySlice? volumes, PySlice? x = null, PySlice? y = null, PySlice? z = null)
        where T : unmanaged, INumber<T>
    {
        var sel = Selection.Create(image.SpatialShape, image.NDim >= 4 ? image.VolumeCount : 0, volumes, x, y, z, "image");
        var outData = new T[(long)sel.VoxelsPerVolume * sel.Volumes.Length];
        for (int v = 0; v < sel.Volumes.Length; v++)
            sel.CopyBlock(image.Volume(sel.Volumes[v]), outData.AsSpan(v * sel.VoxelsPerVolume, sel.VoxelsPerVolume));
        return new Image<T>(sel.OutputShape, sel.OutputAffine(image.Affine), outData, image.Header);
    }

    /// <summary>
    /// Streams the selected volumes and block of <paramref name="inputPath"/> into <paramref name="outputPath"/>,
    /// keeping the stored datatype (scaled data are written as float). Volumes are read in increasing order,
    /// so a gzip file is decompressed once.
    /// </summary>
    public static void IndexFile(string inputPath, string outputPath, string? volumes = null, string? x = null, string? y = null, string? z = null)
    {
        using var f = NiftiFile.Open(inputPath);
        Selection sel;
        try
        {
            sel = Selection.Create(f.SpatialShape, f.Header.NDim >= 4 ? f.VolumeCount : 0, Parse(volumes), Parse(x), Parse(y), Parse(z), "image");
        }
        catch (NiSharpException e) when (e.FilePath is null)
        {
            throw e.InFile(inputPath);
        }
        VoxelTypes.Dispatch(VoxelTypes.InMemoryType(f), new IndexFileRun(f, sel, outputPath));
    }

    private sealed class IndexFileRun(NiftiFile f, Selection sel, string outputPath) : IVoxelTypeFunc<bool>
    {
        public bool Invoke<T>() where T : unmanaged, INumber<T>
        {
            using var w = NiftiWriter.Create(outputPath, sel.OutputShape, sel.OutputAffine(f.Affine), NiftiDataTypes.For<T>(), f.Header);
            var vol = new T[f.VoxelsPerVolume];
            var block = new T[sel.VoxelsPerVolume];
            bool ascending = true;
            for (int i = 1; i < sel.Volumes.Length; i++) if (sel.Volumes[i] <= sel.Volumes[i - 1]) ascending = false;
            if (ascending)
            {
                foreach (var t in sel.Volumes)
                {
                    f.ReadVolume<T>(t, vol);
                    sel.CopyBlock(vol, block);
                    w.WriteVolume<T>(block);
                }
            }
            else
            {
                // Reversed or repeated volumes: read each needed volume once, in file order, then write in the asked order.
                var distinct = sel.Volumes.Distinct().Order().ToArray();
                var blocks = new Dictionary<int, T[]>();
                foreach (var t in distinct)
                {
                    f.ReadVolume<T>(t, vol);
                    var b = new T[sel.VoxelsPerVolume];
                    sel.CopyBlock(vol, b);
                    blocks[t] = b;
                }
                foreach (var t in sel.Volumes) w.WriteVolume<T>(blocks[t]);
            }
            w.Commit();
            return true;
        }
    }

    /// <summary>nilearn <c>mean_img</c>: the voxel-wise mean over volumes (a 3D image is returned as is, as float).</summary>
    public static Image<float> Mean<T>(Image<T> image) where T : unmanaged, INumber<T>
    {
        int n = image.VoxelsPerVolume, nt = image.VolumeCount;
        var sum = new double[n];
        var tmp = new double[n];
        for (int t = 0; t < nt; t++)
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertChecked<T, double>(image.Volume(t), tmp);
            System.Numerics.Tensors.TensorPrimitives.Add(sum, tmp, sum);
        }
        var mean = new float[n];
        for (int i = 0; i < n; i++) mean[i] = (float)(sum[i] / nt);
        return new Image<float>(image.SpatialShape, image.Affine, mean, image.Header);
    }

    /// <summary>Streams <paramref name="path"/> volume by volume and returns the mean image (float32).</summary>
    public static Image<float> Mean(string path)
    {
        using var f = NiftiFile.Open(path);
        return Mean(f);
    }

    /// <summary>The mean image of an opened file, reading one volume at a time.</summary>
    public static Image<float> Mean(NiftiFile file)
    {
        // nilearn's mean_img: "Computation expects 3D or 4D images".
        if (file.Shape.Length > 4 && file.VolumeCount != file.Shape[3])
            throw new NiSharpException(file.Path, $"mean needs a 3D or 4D image; this one is {file.Shape.Length}D {Image.ShapeText(file.Shape)}");
        var mean = new RunningMean(file.VoxelsPerVolume);
        var vol = new double[file.VoxelsPerVolume];
        for (int t = 0; t < file.VolumeCount; t++)
        {
            file.ReadVolume<double>(t, vol);
            mean.Add<double>(vol);
        }
        return mean.Result(file);
    }

    /// <summary>
    /// nilearn <c>concat_imgs</c>: stacks 3D images (or appends 4D ones) along time. All images must share
    /// the grid; <paramref name="names"/> (e.g. file names) are used in the error message.
    /// </summary>
    public static Image<T> Concat<T>(IReadOnlyList<Image<T>> images, IReadOnlyList<string>? names = null) where T : unmanaged, INumber<T>
    {
        if (images.Count == 0) throw new NiSharpException("concat: no images given");
        string Name(int i) => names is not null && i < names.Count ? names[i] : $"image {i + 1}";
        var grid = Grid.Of(images[0]);
        long total = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var g = Grid.Of(images[i]);
            if (!g.SameFieldOfView(grid))
                throw new NiSharpException($"concat: {Name(i)} has grid {g.Describe()} but {Name(0)} has {grid.Describe()}; resample first");
            total += images[i].Data.Length;
        }
        var data = new T[total];
        long offset = 0;
        foreach (var img in images)
        {
            img.Data.AsSpan().CopyTo(data.AsSpan((int)offset));
            offset += img.Data.Length;
        }
        int nt = (int)(total / grid.VoxelCount);
        return new Image<T>([grid.Nx, grid.Ny, grid.Nz, nt], grid.Affine, data, images[0].Header);
    }

    /// <summary>
    /// nilearn <c>concat_imgs(paths)</c> from files to a file, one volume in memory at a time: 3D images become one
    /// volume each, 4D images give all their volumes, in order; the output is float32 (nilearn's default dtype)
    /// with the first image's header (so its TR). Every image must be on the first one's grid.
    /// </summary>
    /// <returns>The number of volumes written.</returns>
    public static int ConcatFiles(IReadOnlyList<string> inputPaths, string outputPath)
    {
        if (inputPaths.Count == 0) throw new NiSharpException("concat: no images given");
        var files = new List<NiftiFile>();
        try
        {
            foreach (var path in inputPaths) files.Add(NiftiFile.Open(path));
            var grid = Grid.Of(files[0]);
            long total = 0;
            for (int i = 0; i < files.Count; i++)
            {
                if (files[i].Shape.Length > 4 && files[i].Shape.Skip(4).Any(d => d != 1))
                    throw new NiSharpException(inputPaths[i], $"concat takes 3D or 4D images, not {Image.ShapeText(files[i].Shape)}");
                var g = Grid.Of(files[i]);
                if (!g.SameFieldOfView(grid))
                    throw new NiSharpException(inputPaths[i], $"has grid {g.Describe()} but {inputPaths[0]} has {grid.Describe()}; resample it first (nisharp resample)");
                total += files[i].VolumeCount;
            }
            if (total > int.MaxValue) throw new NiSharpException(outputPath, $"{total} volumes is more than a NIfTI file can hold");
            int n = grid.VoxelCount;
            var volume = new float[n];
            using var w = NiftiWriter.Create(outputPath, [grid.Nx, grid.Ny, grid.Nz, (int)total], grid.Affine, NiftiDataType.Float32, files[0].Header);
            foreach (var f in files)
                for (int t = 0; t < f.VolumeCount; t++)
                {
                    f.ReadVolume<float>(t, volume);
                    w.WriteVolume<float>(volume);
                }
            w.Commit();
            return (int)total;
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }

    private static PySlice? Parse(string? s) => string.IsNullOrWhiteSpace(s) ? null : PySlice.Parse(s);

    /// <summary>The voxels and volumes a slicing selects, and how to copy them.</summary>
    internal sealed class Selection
    {
        public required int[] Xs { get; init; }
        public required int[] Ys { get; init; }
        public required int[] Zs { get; init; }
        public required int[] Volumes { get; init; }
        public required int[] InputSpatial { get; init; }
        public required bool KeepTime { get; init; }

        public int VoxelsPerVolume => Xs.Length * Ys.Length * Zs.Length;

        public int[] OutputShape => KeepTime ? [Xs.Length, Ys.Length, Zs.Length, Volumes.Length] : [Xs.Length, Ys.Length, Zs.Length];

        public static Selection Create(int[] spatial, int volumeCount, PySlice? volumes, PySlice? x, PySlice? y, PySlice? z, string what)
        {
            int[] Axis(PySlice? s, int len, string name)
            {
                var idx = (s ?? PySlice.All).Indices(len, name);
                if (idx.Length == 0) throw new NiSharpException($"the slice {s} selects no voxels along {name} (size {len})");
                return idx;
            }
            var xs = Axis(x, spatial[0], "x");
            var ys = Axis(y, spatial[1], "y");
            var zs = Axis(z, spatial[2], "z");
            int[] vols;
            bool keepTime;
            if (volumeCount == 0)
            {
                if (volumes is not null) throw new NiSharpException($"the {what} is 3D: it has no volumes to index");
                vols = [0];
                keepTime = false;
            }
            else
            {
                vols = (volumes ?? PySlice.All).Indices(volumeCount, "time");
                if (vols.Length == 0) throw new NiSharpException($"the volume slice {volumes} selects no volumes out of {volumeCount}");
                keepTime = volumes is not { IsIndex: true };
            }
            return new Selection { Xs = xs, Ys = ys, Zs = zs, Volumes = vols, InputSpatial = spatial, KeepTime = keepTime };
        }

        /// <summary>The affine of the block: the first kept voxel is the new origin, steps scale the axes.</summary>
        public Affine OutputAffine(Affine input)
        {
            static int Step(int[] a) => a.Length > 1 ? a[1] - a[0] : 1;
            return input.Slice(Xs[0], Ys[0], Zs[0], Step(Xs), Step(Ys), Step(Zs));
        }

        public void CopyBlock<T>(ReadOnlySpan<T> volume, Span<T> block)
        {
            int nx = InputSpatial[0], ny = InputSpatial[1];
            bool contiguousX = Xs.Length == nx && Xs[0] == 0 && (nx == 1 || Xs[1] == 1);
            int o = 0;
            foreach (var k in Zs)
            foreach (var j in Ys)
            {
                int row = nx * (j + ny * k);
                if (contiguousX)
                {
                    volume.Slice(row, nx).CopyTo(block.Slice(o, nx));
                    o += nx;
                }
                else
                {
                    foreach (var i in Xs) block[o++] = volume[row + i];
                }
            }
        }
    }
}

/// <summary>
/// nilearn's <c>mean_img</c> accumulated one volume at a time (volume values as double, summed in double, the mean as
/// float32), so that a pass made for something else — a masker's — can also give the mean image.
/// </summary>
public sealed class RunningMean(int voxels)
{
    private readonly double[] _sum = new double[voxels];
    private double[]? _converted;

    /// <summary>Volumes added.</summary>
    public int Volumes { get; private set; }

    /// <summary>Adds one volume (float values convert to double exactly).</summary>
    public void Add<T>(ReadOnlySpan<T> volume) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        if (typeof(T) == typeof(double))
            System.Numerics.Tensors.TensorPrimitives.Add(_sum, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(volume), _sum);
        else
        {
            _converted ??= new double[_sum.Length];
            System.Numerics.Tensors.TensorPrimitives.ConvertChecked<T, double>(volume, _converted);
            System.Numerics.Tensors.TensorPrimitives.Add(_sum, _converted, _sum);
        }
        Volumes++;
    }

    /// <summary>The mean image on the grid and with the header of <paramref name="file"/>.</summary>
    public Image<float> Result(NiftiFile file)
    {
        var mean = new float[_sum.Length];
        for (int i = 0; i < mean.Length; i++) mean[i] = (float)(_sum[i] / Volumes);
        return new Image<float>(file.SpatialShape, file.Affine, mean, file.Header);
    }
}
