using System.Text.Json;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary>The nilearn masker fixtures (20×24×20×120 float32 run, 30×36×30 atlas with labels 1–7) as NiSharp types.</summary>
internal static class MaskerFixtures
{
    public static string Func => TestPaths.Nilearn("in_func.nii.gz");

    /// <summary><c>in_atlas.nii.gz</c> named by <c>in_atlas_names.json</c> (Background, region01 … region08), as the fixtures pass <c>labels=names</c>.</summary>
    public static Atlas Atlas()
    {
        var names = JsonSerializer.Deserialize(File.ReadAllText(TestPaths.Nilearn("in_atlas_names.json")), TestJson.Default.StringArray)!;
        var table = new LabelTable(names.Select((n, i) => new AtlasLabel(i, n)), "in_atlas_names.json");
        return NiSharp.Atlases.Atlas.FromImage(Regions.LoadLabelImage(TestPaths.Nilearn("in_atlas.nii.gz")), table, "in_atlas", "in_atlas.nii.gz");
    }

    /// <summary>A 2-D .npy as (rows, cols, row-major values).</summary>
    public static NpyArray Npy(string path) => NpyArray.Load(path);

    /// <summary>A nilearn 0.10.4 output array.</summary>
    public static NpyArray Nilearn(string name) => NpyArray.Load(TestPaths.Nilearn(name));

    /// <summary>An output array of nilearn <paramref name="version"/>.</summary>
    public static NpyArray Nilearn(string version, string name) => NpyArray.Load(TestPaths.Nilearn(version, name));

    /// <summary>A reference generated for the maskers (<c>tests/fixtures/maskers</c>).</summary>
    public static NpyArray Reference(string name) => NpyArray.Load(TestPaths.Fixture("maskers", name));

    /// <summary>Column <paramref name="c"/> of a row-major matrix.</summary>
    public static double[] Column(double[] rowMajor, int cols, int c)
    {
        int rows = rowMajor.Length / cols;
        var v = new double[rows];
        for (int t = 0; t < rows; t++) v[t] = rowMajor[t * cols + c];
        return v;
    }

    /// <summary>Writes a float32 4D image to <paramref name="path"/>.</summary>
    public static string Write(string path, float[] data, int[] shape, Affine affine, double tr = 2)
    {
        var header = new NiftiHeader { Pixdim = [1, 1, 1, 1, tr, 1, 1, 1], XyztUnits = 2 | 8 };
        new Image<float>(shape, affine, data, header).Save(path);
        return path;
    }
}
