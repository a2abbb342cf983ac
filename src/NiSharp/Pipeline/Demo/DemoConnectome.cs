using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;

namespace NiSharp.Pipeline;

/// <summary>
/// The connectome planted in the demo: a correlation matrix over the atlas regions with the Yeo networks'
/// structure (strong within a network, weaker or negative between networks, the default mode network
/// anticorrelated with the attention networks), a fixed random texture per edge, and the lesson's DMN edge
/// 44–46 set per group. Made positive definite by clipping eigenvalues, then rescaled to a unit diagonal;
/// the matrices after that correction are the truth the tests compare with.
/// </summary>
public sealed class DemoConnectome
{
    /// <summary>Label ids of the regions, ascending (rows and columns of the matrices).</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Yeo network of each region (null when the label table gives none).</summary>
    public IReadOnlyList<string?> Networks { get; }

    /// <summary>The planted correlations in controls.</summary>
    public Matrix<double> Control { get; }

    /// <summary>The planted correlations in patients (equal to <see cref="Control"/> but for the 44–46 edge).</summary>
    public Matrix<double> Patient { get; }

    /// <summary>The DMN edge of the lesson, by label id.</summary>
    public static (int A, int B) LessonEdge { get; } = (44, 46);

    private DemoConnectome(IReadOnlyList<int> labels, IReadOnlyList<string?> networks, Matrix<double> control, Matrix<double> patient)
    {
        Labels = labels;
        Networks = networks;
        Control = control;
        Patient = patient;
    }

    /// <summary>The row of label <paramref name="label"/>, or −1.</summary>
    public int IndexOf(int label)
    {
        for (int i = 0; i < Labels.Count; i++) if (Labels[i] == label) return i;
        return -1;
    }

    /// <summary>The planted matrix of a group.</summary>
    public Matrix<double> For(bool patient) => patient ? Patient : Control;

    // Yeo order: Vis, SomMot, DorsAttn, SalVentAttn, Limbic, Cont, Default.
    private static readonly double[,] NetworkCoupling =
    {
        //  Vis    SomMot DorsAt SalVen Limbic Cont   Default
        { 0.55,  0.25,  0.20,  0.05,  0.00,  0.00, -0.10 },
        { 0.25,  0.55,  0.15,  0.25,  0.00,  0.00, -0.05 },
        { 0.20,  0.15,  0.55,  0.15,  0.00,  0.20, -0.25 },
        { 0.05,  0.25,  0.15,  0.55,  0.05,  0.25, -0.20 },
        { 0.00,  0.00,  0.00,  0.05,  0.40,  0.05,  0.15 },
        { 0.00,  0.00,  0.20,  0.25,  0.05,  0.55,  0.15 },
        { -0.10, -0.05, -0.25, -0.20,  0.15,  0.15,  0.55 },
    };

    /// <summary>Builds the planted matrices for the regions <paramref name="labels"/> of <paramref name="atlas"/>.</summary>
    internal static DemoConnectome Create(Atlas atlas, IReadOnlyList<int> labels, DemoOptions options)
    {
        int r = labels.Count;
        var networks = labels.Select(l => atlas.Labels[l]?.Network).ToArray();
        int NetworkIndex(string? n) => n is null ? -1 : AtlasCatalog.Yeo7Networks.ToList().FindIndex(x => n.StartsWith(x, StringComparison.Ordinal));
        var net = networks.Select(NetworkIndex).ToArray();
        var rng = new DemoRandom(options.Seed, stream: -1);
        var baseMatrix = Matrix<double>.Build.Dense(r, r);
        for (int i = 0; i < r; i++)
        {
            baseMatrix[i, i] = 1;
            for (int j = 0; j < i; j++)
            {
                double c = net[i] >= 0 && net[j] >= 0 ? NetworkCoupling[net[i], net[j]] : 0;
                c += rng.Uniform(-0.08, 0.08);
                baseMatrix[i, j] = baseMatrix[j, i] = c;
            }
        }
        int a = labels.ToList().IndexOf(LessonEdge.A), b = labels.ToList().IndexOf(LessonEdge.B);
        Matrix<double> WithEdge(double value)
        {
            var m = baseMatrix.Clone();
            if (a >= 0 && b >= 0) m[a, b] = m[b, a] = value;
            return NearestCorrelation(m, a, b, value);
        }
        return new DemoConnectome(labels, networks, WithEdge(options.ControlDmnCorrelation), WithEdge(options.PatientDmnCorrelation));
    }

    /// <summary>
    /// A positive definite correlation matrix close to <paramref name="m"/>: eigenvalues clipped at 0.05,
    /// unit diagonal restored; a few rounds so that the planted edge (<paramref name="a"/>, <paramref name="b"/>)
    /// keeps its value.
    /// </summary>
    private static Matrix<double> NearestCorrelation(Matrix<double> m, int a, int b, double edge)
    {
        var x = m;
        for (int round = 0; round < 20; round++)
        {
            x = Project(x);
            if (a < 0 || b < 0 || Math.Abs(x[a, b] - edge) < 1e-3) return x;
            x[a, b] = x[b, a] = edge;
        }
        return Project(x);
    }

    private static Matrix<double> Project(Matrix<double> m)
    {
        var evd = m.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Map(c => Math.Max(c.Real, 0.05));
        var v = evd.EigenVectors;
        var x = v * Matrix<double>.Build.DiagonalOfDiagonalVector(values) * v.Transpose();
        var d = x.Diagonal().Map(Math.Sqrt);
        return Matrix<double>.Build.Dense(x.RowCount, x.ColumnCount, (i, j) => i == j ? 1 : x[i, j] / (d[i] * d[j]));
    }
}
