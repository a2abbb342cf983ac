using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>One CompCor component as fMRIPrep documents it in the confounds JSON.</summary>
internal sealed record CompCorComponent(double[] Values, double SingularValue, double VarianceExplained, double CumulativeVarianceExplained);

/// <summary>
/// The demo's fMRIPrep (≥ 21) confounds table: columns in fMRIPrep's order and naming — tissue signals,
/// DVARS, framewise displacement, CompCor components, discrete cosines, non-steady-state outliers, the 24
/// motion columns — computed from the generated images and motion, with <c>n/a</c> where fMRIPrep writes it
/// (first row of derivatives, DVARS and FD), plus the JSON describing the CompCor components.
/// </summary>
internal static class DemoConfounds
{
    /// <summary>fMRIPrep's high-pass cut-off for the cosine regressors and CompCor, in seconds.</summary>
    public const double CosinePeriod = 128;

    /// <summary>The measured series of one run, one value per volume.</summary>
    public sealed class Series
    {
        public required double[] GlobalSignal { get; init; }
        public required double[] Csf { get; init; }
        public required double[] WhiteMatter { get; init; }
        public required double[] CsfWm { get; init; }
        public required double[] Dvars { get; init; }
        public required double[] StdDvars { get; init; }
        public required double[][] Motion { get; init; } // trans_x, trans_y, trans_z (mm), rot_x, rot_y, rot_z (rad)
        public required double[] FramewiseDisplacement { get; init; }
        public required double[] Rmsd { get; init; }
        public required IReadOnlyList<CompCorComponent> CCompCor { get; init; }
        public required IReadOnlyList<CompCorComponent> WCompCor { get; init; }
        public required IReadOnlyList<CompCorComponent> ACompCor { get; init; }
        public required double[][] Cosines { get; init; }
        public required int NonSteadyState { get; init; }
    }

    private static readonly string[] MotionNames = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"];

    /// <summary>Writes <paramref name="tsvPath"/> and its JSON sidecar atomically.</summary>
    public static void Write(string tsvPath, Series s)
    {
        int n = s.GlobalSignal.Length;
        var columns = new List<(string Name, double[] Values)>();
        void Expanded(string name, double[] x, bool squareFirst)
        {
            var d = Derivative(x);
            columns.Add((name, x));
            columns.Add((name + "_derivative1", d));
            // fMRIPrep's own order differs between the tissue signals (derivative1, power2, derivative1_power2
            // for CSF) and the others (derivative1, derivative1_power2, power2); both occur in real files.
            if (squareFirst)
            {
                columns.Add((name + "_power2", Square(x)));
                columns.Add((name + "_derivative1_power2", Square(d)));
            }
            else
            {
                columns.Add((name + "_derivative1_power2", Square(d)));
                columns.Add((name + "_power2", Square(x)));
            }
        }
        Expanded("global_signal", s.GlobalSignal, squareFirst: false);
        Expanded("csf", s.Csf, squareFirst: true);
        Expanded("white_matter", s.WhiteMatter, squareFirst: false);
        columns.Add(("csf_wm", s.CsfWm));
        columns.Add(("std_dvars", s.StdDvars));
        columns.Add(("dvars", s.Dvars));
        columns.Add(("framewise_displacement", s.FramewiseDisplacement));
        columns.Add(("rmsd", s.Rmsd));
        for (int i = 0; i < s.CCompCor.Count; i++) columns.Add(($"c_comp_cor_{i:00}", s.CCompCor[i].Values));
        for (int i = 0; i < s.WCompCor.Count; i++) columns.Add(($"w_comp_cor_{i:00}", s.WCompCor[i].Values));
        for (int i = 0; i < s.ACompCor.Count; i++) columns.Add(($"a_comp_cor_{i:00}", s.ACompCor[i].Values));
        for (int i = 0; i < s.Cosines.Length; i++) columns.Add(($"cosine{i:00}", s.Cosines[i]));
        for (int i = 0; i < s.NonSteadyState; i++)
        {
            var one = new double[n];
            one[i] = 1;
            columns.Add(($"non_steady_state_outlier{i:00}", one));
        }
        for (int k = 0; k < 6; k++) Expanded(MotionNames[k], s.Motion[k], squareFirst: false);

        var sb = new StringBuilder(n * columns.Count * 14);
        sb.AppendJoin('\t', columns.Select(c => c.Name)).Append('\n');
        for (int t = 0; t < n; t++)
        {
            for (int c = 0; c < columns.Count; c++)
            {
                if (c > 0) sb.Append('\t');
                sb.Append(TsvTable.FormatNumber(columns[c].Values[t]));
            }
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(tsvPath, sb.ToString());

        var json = new JsonObject();
        void Describe(string prefix, string mask, IReadOnlyList<CompCorComponent> comps)
        {
            for (int i = 0; i < comps.Count; i++)
                json[$"{prefix}_comp_cor_{i:00}"] = new JsonObject
                {
                    ["CumulativeVarianceExplained"] = comps[i].CumulativeVarianceExplained,
                    ["Mask"] = mask,
                    ["Method"] = "aCompCor",
                    ["Retained"] = true,
                    ["SingularValue"] = comps[i].SingularValue,
                    ["VarianceExplained"] = comps[i].VarianceExplained,
                };
        }
        Describe("c", "CSF", s.CCompCor);
        Describe("w", "WM", s.WCompCor);
        Describe("a", "combined", s.ACompCor);
        for (int i = 0; i < s.Cosines.Length; i++)
            json[$"cosine{i:00}"] = new JsonObject { ["Method"] = "DCT basis", ["CutoffPeriod"] = CosinePeriod };
        AtomicFile.WriteAllText(tsvPath[..^4] + ".json", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>fMRIPrep's temporal derivative: backward difference, n/a first.</summary>
    public static double[] Derivative(double[] x)
    {
        var d = new double[x.Length];
        d[0] = double.NaN;
        for (int t = 1; t < x.Length; t++) d[t] = x[t] - x[t - 1];
        return d;
    }

    private static double[] Square(double[] x) => x.Select(v => v * v).ToArray();

    /// <summary>
    /// nipype's <c>_cosine_drift(period_cut, frametimes)</c> as fMRIPrep uses it: order = ⌊2·n·TR/period⌋,
    /// regressors √(2/n)·cos(π/n·(t + ½)·k) for k = 1..order−1 over the n steady-state volumes, zero
    /// on the leading non-steady-state ones.
    /// </summary>
    public static double[][] Cosines(int volumes, int nonSteady, double repetitionTime)
    {
        int n = volumes - nonSteady;
        int order = (int)Math.Floor(2 * n * repetitionTime / CosinePeriod);
        var result = new double[Math.Max(0, order - 1)][];
        double norm = Math.Sqrt(2.0 / n);
        for (int k = 1; k < order; k++)
        {
            var c = new double[volumes];
            for (int t = 0; t < n; t++) c[nonSteady + t] = norm * Math.Cos(Math.PI / n * (t + 0.5) * k);
            result[k - 1] = c;
        }
        return result;
    }

    /// <summary>
    /// Anatomical CompCor as nipype computes it for fMRIPrep: each voxel's series (steady-state volumes,
    /// <paramref name="data"/> is volumes × voxels row-major) has its mean and the discrete cosines removed and is
    /// scaled to unit variance; the left singular vectors are the components, kept until they explain 50% of the
    /// variance; rows of non-steady-state volumes are zero.
    /// </summary>
    public static List<CompCorComponent> Components(float[] data, int steadyVolumes, int voxels, int nonSteady, double repetitionTime)
    {
        var result = new List<CompCorComponent>();
        if (voxels < 2) return result;
        int n = steadyVolumes;
        var basis = Cosines(n, 0, repetitionTime).ToList();
        basis.Insert(0, Enumerable.Repeat(1 / Math.Sqrt(n), n).ToArray());
        // Work row by row (a row is one volume over all voxels) so every step is a vector operation.
        var x = (float[])data.Clone();
        var coefficient = new float[voxels];
        foreach (var b in basis)
        {
            Array.Clear(coefficient);
            for (int t = 0; t < n; t++) TensorPrimitives.MultiplyAdd(x.AsSpan(t * voxels, voxels), (float)b[t], coefficient, coefficient);
            for (int t = 0; t < n; t++)
            {
                var row = x.AsSpan(t * voxels, voxels);
                TensorPrimitives.MultiplyAdd(coefficient, -(float)b[t], row, row);
            }
        }
        var scale = new float[voxels];
        for (int t = 0; t < n; t++)
        {
            var row = x.AsSpan(t * voxels, voxels);
            TensorPrimitives.MultiplyAdd(row, row, scale, scale);
        }
        for (int v = 0; v < voxels; v++) scale[v] = scale[v] > 0 ? 1 / MathF.Sqrt(scale[v] / n) : 0;
        for (int t = 0; t < n; t++)
        {
            var row = x.AsSpan(t * voxels, voxels);
            TensorPrimitives.Multiply(row, scale, row);
        }
        var gram = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                gram[i, j] = gram[j, i] = TensorPrimitives.Dot(x.AsSpan(i * voxels, voxels), x.AsSpan(j * voxels, voxels));
        // Left singular vectors from the n×n Gram matrix (n volumes ≪ voxels).
        var evd = gram.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        double total = order.Sum(i => Math.Max(0, evd.EigenValues[i].Real));
        double cumulative = 0;
        foreach (int i in order)
        {
            double lambda = Math.Max(0, evd.EigenValues[i].Real);
            double explained = lambda / total;
            cumulative += explained;
            var u = evd.EigenVectors.Column(i);
            // A singular vector's sign is arbitrary; fix it so the file does not depend on the eigensolver.
            if (u.Sum() < 0) u = -u;
            var values = new double[nonSteady + n];
            for (int t = 0; t < n; t++) values[nonSteady + t] = u[t];
            result.Add(new CompCorComponent(values, Math.Sqrt(lambda), explained, cumulative));
            if (cumulative >= 0.5) break;
        }
        return result;
    }
}
