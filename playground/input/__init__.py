"""What a visitor asks for: parameters, the request, the form's fields, the model reference."""
