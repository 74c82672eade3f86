namespace Nsmt.Torch;

// Operator codes of the shim's dispatch tables (native/src/ops.cpp); keep the orders identical.
internal enum UnaryOp
{
    Neg, Abs, Sqrt, Rsqrt, Exp, Log, Log1p, Log10, Log2, Sin, Cos, Tanh, Sigmoid, Relu, Silu, Sign,
    Floor, Ceil, Round, Reciprocal, Square, LogicalNot, Erf, Erfinv, IsNan, IsInf, IsFinite, Expm1,
    Trunc, Frac, Atan, Asin, Acos, Sinh, Cosh,
}

internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr,
    Remainder, Atan2, FloorDivide, LogicalXor, BitwiseAnd, BitwiseOr,
}

internal enum ReduceOp
{
    Sum, Mean, Prod, Amax, Amin, Std, Var, LogSumExp, All, Any, Norm,
}
