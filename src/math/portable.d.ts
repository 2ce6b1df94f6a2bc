// The AssemblyScript scalar types as TypeScript sees them, so src/math/*.ts and src/header.ts compile as both:
// AssemblyScript's portable mode declares them the same way. `<i32>x` is a conversion there and a type assertion
// here, so the formulas only convert values that are already whole numbers.
declare type f64 = number;
declare type i32 = number;
declare type bool = boolean;
declare type StaticArray<T> = T[];
