using System.Text.Json;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Nifti;

/// <summary>
/// Every NIfTI the repository carries reads with the shape, zooms, datatype, affine, orientation,
/// units and voxel values that nibabel 5.0 reports (values generated once with Debian's
/// python3-nibabel, committed in tests/fixtures/nifti/nibabel_expected.json).
/// </summary>
public class NibabelParityTests
{
    private static readonly Dictionary<string, JsonElement> Expected =
        JsonSerializer.Deserialize(File.ReadAllText(TestPaths.Fixture("nifti", "nibabel_expected.json")), TestJson.Default.DictionaryStringJsonElement)!;

    /// <summary>Files the issue names explicitly; they must be present and checked.</summary>
    private static readonly string[] Required =
    [
        "nipy_anatomical.nii.gz", "nibabel_example4d.nii.gz", "nipy_functional.nii.gz", "nipype_ds003_sub-01_mc.nii.gz",
        "in_func.nii.gz", "in_atlas.nii.gz", "in_oblique_target.nii.gz", "scaled_int16_tr_msec.nii.gz", "bigendian_float64.nii",
        "nifti2_float32.nii.gz", "pair_uint8.hdr", "qform_only_oblique.nii", "qform_qfac_neg.nii", "no_codes_fallback.nii",
        "dtype_int8.nii.gz", "dtype_uint16.nii.gz", "dtype_int32.nii.gz", "dtype_uint32.nii.gz", "dtype_int64.nii.gz", "dtype_uint64.nii.gz",
        "ds000031_brain_mask.nii.gz",
        // the LIA Yeo atlas with its singleton 4th dim, and the lesson's int64 relabelled atlas
        "Yeo2011_7Networks_MNI152_FreeSurferConformed1mm.nii.gz", "relabeled_yeo_atlas.nii.gz",
    ];

    private static Dictionary<string, string> RepoFiles()
    {
        var roots = new[] { TestPaths.Fixtures, TestPaths.Data() }.Where(Directory.Exists);
        var map = new Dictionary<string, string>();
        foreach (var root in roots)
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(f);
            if (Expected.ContainsKey(name)) map.TryAdd(name, f);
        }
        return map;
    }

    public static IEnumerable<object[]> Files() => RepoFiles().Keys.Order(StringComparer.Ordinal).Select(n => new object[] { n });

    [Fact]
    public void The_named_files_are_all_in_the_repository()
    {
        var present = RepoFiles();
        var missing = Required.Where(r => !present.ContainsKey(r)).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));
        Assert.True(present.Count >= 35, $"only {present.Count} files checked against nibabel");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Header_affine_and_values_match_nibabel(string name)
    {
        var path = RepoFiles()[name];
        var e = Expected[name];
        using var f = NiftiFile.Open(path);

        Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()), f.Shape);
        Assert.Equal(e.GetProperty("datatype").GetString(), f.DataType.NumpyName());
        Assert.Equal(e.GetProperty("byte_order").GetString(), f.Header.IsBigEndian ? "big" : "little");
        Assert.Equal(e.GetProperty("nifti_version").GetInt32(), f.Header.Version);
        Assert.Equal(e.GetProperty("orientation").GetString(), f.Affine.AxisCodes);

        var zooms = e.GetProperty("zooms").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Approx.Equal(zooms, f.Header.Zooms, rtol: 1e-7, atol: 1e-7, what: "zooms");

        // nibabel's affine; float32 header fields widen exactly, the quaternion path agrees to ~1e-7.
        var aff = e.GetProperty("affine").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(x => x.GetDouble())).ToArray();
        Approx.Equal(aff, f.Affine.Values, rtol: 1e-6, atol: 1e-5, what: "affine");

        var (slope, inter) = f.Header.EffectiveScaling;
        var es = e.GetProperty("slope");
        Assert.Equal(es.ValueKind == JsonValueKind.Null ? 1.0 : es.GetDouble(), slope);
        var ei = e.GetProperty("inter");
        Assert.Equal(ei.ValueKind == JsonValueKind.Null ? 0.0 : ei.GetDouble(), inter);

        // Voxel values, streamed volume by volume in float64.
        var vol = new double[f.VoxelsPerVolume];
        double sum = 0, min = double.MaxValue, max = double.MinValue;
        long firstNonZero = -1, index = 0;
        var first8 = new List<double>();
        for (int t = 0; t < f.VolumeCount; t++)
        {
            f.ReadVolume<double>(t, vol);
            foreach (var v in vol)
            {
                sum += v; min = Math.Min(min, v); max = Math.Max(max, v);
                if (firstNonZero < 0 && v != 0) firstNonZero = index;
                if (first8.Count < 8) first8.Add(v);
                index++;
            }
        }
        Assert.Equal(e.GetProperty("first_nonzero_index").GetInt64(), firstNonZero);
        Assert.Equal(e.GetProperty("min").GetDouble(), min, 1e-6);
        Assert.Equal(e.GetProperty("max").GetDouble(), max, 1e-6);
        double esum = e.GetProperty("sum").GetDouble();
        Assert.True(Math.Abs(esum - sum) <= 1e-9 * Math.Max(1, Math.Abs(esum)) + 1e-6, $"sum {sum} vs nibabel {esum}");
        if (e.TryGetProperty("values_first8", out var v8))
            Approx.Equal(v8.EnumerateArray().Select(x => x.GetDouble()).ToArray(), first8.ToArray(), rtol: 1e-12, what: "first values");
    }

    [Fact]
    public void Repetition_time_is_converted_to_seconds()
    {
        using (var f = NiftiFile.Open(TestPaths.Fixture("nifti", "scaled_int16_tr_msec.nii.gz")))
            Assert.Equal(2.5, f.RepetitionTime); // 2500 with units msec
        using (var f = NiftiFile.Open(TestPaths.Data("samples", "nibabel_example4d.nii.gz")))
            Assert.Equal(2.0, f.RepetitionTime); // 2000 stored while the units claim seconds
        using (var f = NiftiFile.Open(TestPaths.Data("samples", "nipy_functional.nii.gz")))
            Assert.Equal(2.0, f.RepetitionTime);
        using (var f = NiftiFile.Open(TestPaths.Data("samples", "nipy_anatomical.nii.gz")))
            Assert.Null(f.RepetitionTime); // 3D
    }
}
