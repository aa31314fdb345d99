// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillSelfTest
import DistillTensor

/// Finite-difference checks of autograd rules.
///
/// A function `f` of several tensors is reduced to a scalar with a fixed
/// random projection, `L(x) = ⟨f(x), r⟩`, so every output element takes part.
/// Central differences in Float32 are accurate to about 1e-3 relative, which
/// is why errors are measured as ‖analytic − numeric‖ / ‖numeric‖ over a
/// whole gradient rather than element by element.
public enum GradientCheck {
    /// Relative error, per input, between the autograd gradient of
    /// `⟨f(x), r⟩` and its central finite difference.
    public static func firstOrder(
        at inputs: [NDArray], epsilon: Float = 1e-2, seed: UInt64 = 7, _ f: @escaping ([Tensor]) -> Tensor
    ) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        let projection = Tensor(.normal(shape: f(inputs.map(Tensor.init)).shape, using: &generator))
        let loss: ([Tensor]) -> Tensor = { (f($0) * projection).sum() }
        let variables = inputs.map { Tensor($0).requiringGradient() }
        let analytic = try! gradients(of: loss(variables), withRespectTo: variables)
        return inputs.indices.map { index in
            let numeric = numericGradient(at: inputs, of: index, epsilon: epsilon) { loss($0).scalar }
            return relativeError(analytic[index].array, numeric)
        }
    }

    /// Relative error, per input, between the autograd gradient of
    /// `h(x) = ⟨∇ₓ⟨f(x), r⟩, v⟩` (a first-order gradient taken with
    /// `createGraph: true`, then differentiated again) and the central
    /// finite difference of `h`. This checks every double-backward rule used.
    public static func secondOrder(
        at inputs: [NDArray], epsilon: Float = 1e-2, seed: UInt64 = 11, _ f: @escaping ([Tensor]) -> Tensor
    ) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        let projection = Tensor(.normal(shape: f(inputs.map(Tensor.init)).shape, using: &generator))
        let directions = inputs.map { Tensor(.normal(shape: $0.shape, using: &generator)) }
        let h: ([Tensor]) -> Tensor = { variables in
            let loss = (f(variables) * projection).sum()
            let firstOrder = try! gradients(of: loss, withRespectTo: variables, createGraph: true)
            return zip(firstOrder, directions).map { ($0 * $1).sum() }.reduce(Tensor(scalar: 0), +)
        }
        let variables = inputs.map { Tensor($0).requiringGradient() }
        let analytic = try! gradients(of: h(variables), withRespectTo: variables)
        return inputs.indices.map { index in
            let numeric = numericGradient(at: inputs, of: index, epsilon: epsilon) { values in
                h(values.map { $0.requiringGradient() }).scalar
            }
            return relativeError(analytic[index].array, numeric)
        }
    }

    /// Central finite difference of `scalarFunction` with respect to input `index`.
    public static func numericGradient(
        at inputs: [NDArray], of index: Int, epsilon: Float, _ scalarFunction: ([Tensor]) -> Float
    ) -> NDArray {
        var result = [Float](repeating: 0, count: inputs[index].count)
        var perturbed = inputs
        for i in 0..<inputs[index].count {
            let original = inputs[index].scalars[i]
            perturbed[index].scalars[i] = original + epsilon
            let plus = Double(scalarFunction(perturbed.map(Tensor.init)))
            perturbed[index].scalars[i] = original - epsilon
            let minus = Double(scalarFunction(perturbed.map(Tensor.init)))
            perturbed[index].scalars[i] = original
            result[i] = Float((plus - minus) / (2 * Double(epsilon)))
        }
        return NDArray(shape: inputs[index].shape, scalars: result)
    }
}

/// ‖a − r‖ / ‖r‖ in Double; the absolute error ‖a − r‖ when r is zero.
public func relativeError(_ a: NDArray, _ reference: NDArray) -> Double {
    relativeError(a.scalars.map(Double.init), reference.scalars.map(Double.init))
}

/// ‖a − r‖ / ‖r‖ in Double; the absolute error ‖a − r‖ when r is zero.
public func relativeError(_ a: [Double], _ reference: [Double]) -> Double {
    Golden.relativeL2Error(a, reference)
}
