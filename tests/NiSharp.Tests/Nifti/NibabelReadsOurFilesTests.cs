using System.Diagnostics;
using System.Text.Json;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Nifti;

/// <summary>
/// Files NiSharp writes read back in nibabel unchanged: same shape, datatype, affine, TR and values.
/// Runs Debian's python3-nibabel when it is installed (<c>.ci/run</c> installs it); skipped otherwise.
/// </summary>
public class NibabelReadsOurFilesTests
{
    private static bool NibabelAvailable()
    {
        try
        {
            var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import nibabel\"") { RedirectStandardError = true, RedirectStandardOutput = true });
            p!.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    [SkippableFact]
    public void Every_datatype_both_byte_orders_and_both_versions_read_back_in_nibabel()
    {
        Skip.IfNot(NibabelAvailable(), "python3-nibabel is not installed");
        using var dir = new TempDir();
        var affine = Affine.FromMatVec([0, -2, 0.1, 3, 0, 0, 0, 0, 2.5], [10, -20, 30]);
        var template = new NiftiHeader { Pixdim = [1, 1, 1, 1, 1.5, 1, 1, 1], XyztUnits = 2 | 8 };
        var values = Enumerable.Range(0, 4 * 3 * 2 * 3).Select(i => (double)(i % 50)).ToArray();
        var written = new List<string>();
        foreach (var type in new[] { NiftiDataType.UInt8, NiftiDataType.Int8, NiftiDataType.Int16, NiftiDataType.UInt16, NiftiDataType.Int32,
                     NiftiDataType.UInt32, NiftiDataType.Int64, NiftiDataType.UInt64, NiftiDataType.Float32, NiftiDataType.Float64 })
        foreach (var big in new[] { false, true })
        foreach (var version in new[] { 1, 2 })
        {
            var path = dir.File($"{type}_{(big ? "be" : "le")}_v{version}.nii{(version == 1 ? ".gz" : "")}");
            new Image<double>([4, 3, 2, 3], affine, values, template).Save(path, type, new NiftiWriteOptions { BigEndian = big, Version = version });
            written.Add(path);
        }
        var script = """
            import sys, json, nibabel as nib, numpy as np
            out = {}
            for f in sys.argv[1:]:
                img = nib.load(f)
                out[f] = {"shape": list(img.shape), "dtype": img.get_data_dtype().newbyteorder("=").name,
                          "affine": img.affine.tolist(), "qform": img.header.get_qform().tolist(), "tr": float(img.header.get_zooms()[3]),
                          "values": img.get_fdata().ravel(order="F").tolist()}
            print(json.dumps(out))
            """;
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var w in written) psi.ArgumentList.Add(w);
        using var proc = Process.Start(psi)!;
        var stdout = proc.StandardOutput.ReadToEnd();
        var stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        foreach (var path in written)
        {
            var o = doc.RootElement.GetProperty(path);
            var type = NiftiFile.ReadHeader(path).DataType;
            Assert.Equal([4, 3, 2, 3], o.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(type.NumpyName(), o.GetProperty("dtype").GetString());
            Assert.Equal(1.5, o.GetProperty("tr").GetDouble(), 6);
            var aff = o.GetProperty("affine").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(e => e.GetDouble())).ToArray();
            Approx.Equal(affine.Values, aff, rtol: 1e-6, atol: 1e-6, what: path + " affine");
            var q = o.GetProperty("qform").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(e => e.GetDouble())).ToArray();
            // the qform cannot hold the shear of this affine; nibabel and NiSharp must agree on its rotation part
            Approx.Equal(NiftiFile.ReadHeader(path).GetQForm().Values, q, rtol: 1e-6, atol: 1e-5, what: path + " qform");
            Approx.Equal(values, o.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray(), rtol: 0, what: path + " values");
        }
    }
}
